import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { domainDependencies } from '../shared/composition.ts';
import { tokenVerifier } from '../shared/http/auth.ts';
import { IDEMPOTENCY_ERRORS } from '../shared/http/idempotency-errors.ts';
import { createHttpHandler } from '../shared/http/middleware.ts';
import { reservationRoutes } from '../shared/http/routes.ts';
import { idempotencyStore } from '../shared/idempotency-composition.ts';

const dynamo = new DynamoDBClient({});

/** Reserve, release and read a booking's reservation (scopes: shared/http/route-table.ts). */
export const handler = createHttpHandler(
  reservationRoutes({
    ...domainDependencies(dynamo),
    createPersistenceStore: () => idempotencyStore(dynamo),
  }),
  { verifyToken: tokenVerifier(), errors: IDEMPOTENCY_ERRORS },
);
