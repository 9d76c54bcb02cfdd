import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { domainDependencies } from './composition.ts';
import { idempotencyTableName, intEnv } from './config.ts';

/**
 * The wiring of the functions that run under Powertools idempotency (the saga consumers, reserve
 * and release), apart from composition.ts so that the other functions do not load the library.
 */

/** A Powertools idempotency persistence layer on the idempotency table (one per operation). */
export function idempotencyStore(client: DynamoDBClient): DynamoDBPersistenceLayer {
  return new DynamoDBPersistenceLayer({ tableName: idempotencyTableName(), awsSdkV3Client: client });
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
