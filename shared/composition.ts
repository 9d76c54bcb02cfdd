import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDocumentClient, createEventBridgeClient } from './adapters/aws-clients.ts';
import { systemClock } from './adapters/clock.ts';
import { DynamoDbInventoryStore } from './adapters/dynamodb-store.ts';
import { EventBridgePublisher } from './adapters/eventbridge-publisher.ts';
import {
  eventBusName,
  idempotencyTableName,
  intEnv,
  jwtConfig,
  reservationTtlSeconds,
  tableName,
} from './config.ts';
import type { Dependencies } from './domain/ports.ts';
import { createTokenVerifier, type TokenVerifier } from './http/auth.ts';
import { logPort } from './observability.ts';

/**
 * Builds the real adapters of every function, once per execution environment, from
 * configuration (which fails fast naming a missing variable). `functions/*.ts` compose
 * from here and hand their handler over; tests pass fakes or adapters on DynamoDB Local
 * to the same use cases instead. Each builder is its own export, so a bundle carries
 * only the clients its function uses.
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

/** A Powertools idempotency persistence layer on the idempotency table (one per operation). */
export function idempotencyStore(client: DynamoDBClient): DynamoDBPersistenceLayer {
  return new DynamoDBPersistenceLayer({ tableName: idempotencyTableName(), awsSdkV3Client: client });
}

/** The in-function token verifier (behind API Gateway's JWT authorizer). */
export function tokenVerifier(): TokenVerifier {
  return createTokenVerifier(jwtConfig());
}

/** A saga consumer's wiring: its ports, its idempotency store and how long records live. */
export function consumerComposition() {
  const client = new DynamoDBClient({});
  return {
    deps: domainDependencies(client),
    persistenceStore: idempotencyStore(client),
    // At least 24 hours: EventBridge retries deliveries for up to 24 hours.
    idempotencyExpirySeconds: Math.max(86_400, intEnv('IDEMPOTENCY_EXPIRY_SECONDS', 86_400)),
  };
}
