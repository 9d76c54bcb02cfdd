import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDocumentClient, createEventBridgeClient } from '../adapters/aws-clients.ts';
import { systemClock } from '../adapters/clock.ts';
import { DynamoDbInventoryStore } from '../adapters/dynamodb-store.ts';
import { EventBridgePublisher } from '../adapters/eventbridge-publisher.ts';
import { eventBusName, idempotencyTableName, intEnv, reservationTtlSeconds, tableName } from '../config.ts';
import type { Dependencies } from '../domain/ports.ts';
import { logPort } from '../observability.ts';

/** The real adapters of a saga consumer, built once per execution environment from configuration. */
export function consumerWiring() {
  const dynamo = new DynamoDBClient({});
  const deps: Dependencies & { defaultTtlSeconds: number } = {
    store: new DynamoDbInventoryStore({ client: createDocumentClient(dynamo), tableName: tableName() }),
    publisher: new EventBridgePublisher({ client: createEventBridgeClient(), eventBusName: eventBusName() }),
    clock: systemClock,
    log: logPort,
    defaultTtlSeconds: reservationTtlSeconds(),
  };
  return {
    deps,
    persistenceStore: new DynamoDBPersistenceLayer({
      tableName: idempotencyTableName(),
      awsSdkV3Client: dynamo,
    }),
    idempotencyExpirySeconds: Math.max(86_400, intEnv('IDEMPOTENCY_EXPIRY_SECONDS', 86_400)),
  };
}
