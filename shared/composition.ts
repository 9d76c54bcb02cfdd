import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDocumentClient, createEventBridgeClient } from './adapters/aws-clients.ts';
import { systemClock } from './adapters/clock.ts';
import { DynamoDbProjector } from './adapters/dynamodb/projection.ts';
import { DynamoDbInventoryStore } from './adapters/dynamodb-store.ts';
import { EventBridgePublisher } from './adapters/eventbridge-publisher.ts';
import { eventBusName, reservationTtlSeconds, tableName } from './config.ts';
import type { Dependencies } from './domain/ports.ts';
import { logPort } from './observability.ts';

/**
 * Builds the real adapters of every function, once per execution environment, from
 * configuration (which fails fast naming a missing variable). `functions/*.ts` compose
 * from here and hand their handler over; tests pass fakes or adapters on DynamoDB Local
 * to the same use cases instead. Each builder is its own export, so a bundle carries
 * only the clients its function uses; builders that need a library not every function loads
 * live with it: the idempotency layer in idempotency-composition.ts, the token verifier in
 * http/auth.ts (an import of either keeps that library's module code in every bundle, used or not).
 */

/** The DynamoDB store of the inventory table. */
export function inventoryStore(client: DynamoDBClient = new DynamoDBClient({})): DynamoDbInventoryStore {
  return new DynamoDbInventoryStore({ client: createDocumentClient(client), tableName: tableName() });
}

/** The ports of a function that changes stock: store, clock, log, hold time (no bus: the stream publishes). */
export function domainDependencies(
  client: DynamoDBClient = new DynamoDBClient({}),
): Dependencies & { defaultTtlSeconds: number } {
  return {
    store: inventoryStore(client),
    clock: systemClock,
    log: logPort,
    defaultTtlSeconds: reservationTtlSeconds(),
  };
}

/** The bus publisher (only the change-stream publisher function puts events). */
export function eventPublisher(): EventBridgePublisher {
  return new EventBridgePublisher({ client: createEventBridgeClient(), eventBusName: eventBusName() });
}

/** The change stream's writer of ledger and hold rows (the change-stream function only). */
export function changeProjector(client: DynamoDBClient = new DynamoDBClient({})): DynamoDbProjector {
  return new DynamoDbProjector({ client: createDocumentClient(client), tableName: tableName() });
}
