import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDocumentClient, createEventBridgeClient } from '../shared/adapters/aws-clients.ts';
import { systemClock } from '../shared/adapters/clock.ts';
import { DynamoDbInventoryStore } from '../shared/adapters/dynamodb-store.ts';
import { EventBridgePublisher } from '../shared/adapters/eventbridge-publisher.ts';
import {
  eventBusName,
  idempotencyTableName,
  jwtConfig,
  reservationTtlSeconds,
  tableName,
} from '../shared/config.ts';
import { createTokenVerifier } from '../shared/http/auth.ts';
import { createHttpHandler } from '../shared/http/middleware.ts';
import { reservationRoutes } from '../shared/http/routes.ts';
import { logPort } from '../shared/observability.ts';

const dynamo = new DynamoDBClient({});

/** Reserve, release and read a booking's reservation (scopes: shared/http/route-table.ts). */
export const handler = createHttpHandler(
  reservationRoutes({
    store: new DynamoDbInventoryStore({ client: createDocumentClient(dynamo), tableName: tableName() }),
    publisher: new EventBridgePublisher({ client: createEventBridgeClient(), eventBusName: eventBusName() }),
    clock: systemClock,
    log: logPort,
    createPersistenceStore: () =>
      new DynamoDBPersistenceLayer({ tableName: idempotencyTableName(), awsSdkV3Client: dynamo }),
    defaultTtlSeconds: reservationTtlSeconds(),
  }),
  { verifyToken: createTokenVerifier(jwtConfig()) },
);
