import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { domainDependencies, idempotencyStore, tokenVerifier } from '../shared/composition.ts';
import { createHttpHandler } from '../shared/http/middleware.ts';
import { reservationRoutes } from '../shared/http/routes.ts';

const dynamo = new DynamoDBClient({});

/** Reserve, release and read a booking's reservation (scopes: shared/http/route-table.ts). */
export const handler = createHttpHandler(
  reservationRoutes({
    ...domainDependencies(dynamo),
    createPersistenceStore: () => idempotencyStore(dynamo),
  }),
  { verifyToken: tokenVerifier() },
);
