/**
 * The domain table's key schema and indexes: the one definition CDK, the store, the local
 * cloud and the tests share. See docs/design.md for the entities stored in it.
 */

import { TTL_ATTRIBUTE } from '../domain/retention.ts';

/** Keys of the domain table, and its TTL attribute (finished rows only: shared/domain/retention.ts). */
export const TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk', ttlAttribute: TTL_ATTRIBUTE } as const;

/** Keys-only index listing every item (`gsi1pk = ITEMS`, sorted by item id). */
export const ITEMS_INDEX = { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' } as const;

/** Sparse index of what becomes due: RESERVED holds by expiry and unpublished outbox entries. */
export const DUE_INDEX = { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' } as const;

/** Write shards of the due index, so expiries never pile into one partition. */
export const DUE_SHARDS = 16;

/** Powertools idempotency table layout (its defaults). */
export const IDEMPOTENCY_KEYS = { partitionKey: 'id', ttlAttribute: 'expiration' } as const;

export const ITEMS_PARTITION = 'ITEMS';

/**
 * The table's change stream view: both images, so the publisher tells a new decision (the
 * version moved) from a rewrite of the same one, and an administrative item change from a
 * reserve's counter update. Stream reads by a Lambda trigger are free of charge either way.
 */
export const STREAM_VIEW_TYPE = 'NEW_AND_OLD_IMAGES' as const;
/** Partition-key prefix of the reconciler's per-item checkpoints (`AUDIT#<itemId>`, sk `CHECKPOINT`). */
export const CHECKPOINT_PREFIX = 'AUDIT#';

/** CreateTable input for tests and local tooling; CDK declares the same keys and indexes. */
export function domainTableDefinition(tableName: string) {
  const s = { AttributeType: 'S' } as const;
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    StreamSpecification: { StreamEnabled: true, StreamViewType: STREAM_VIEW_TYPE },
    AttributeDefinitions: [
      { AttributeName: TABLE_KEYS.partitionKey, ...s },
      { AttributeName: TABLE_KEYS.sortKey, ...s },
      { AttributeName: ITEMS_INDEX.partitionKey, ...s },
      { AttributeName: ITEMS_INDEX.sortKey, ...s },
      { AttributeName: DUE_INDEX.partitionKey, ...s },
      { AttributeName: DUE_INDEX.sortKey, ...s },
    ],
    KeySchema: [
      { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: ITEMS_INDEX.indexName,
        KeySchema: [
          { AttributeName: ITEMS_INDEX.partitionKey, KeyType: 'HASH' as const },
          { AttributeName: ITEMS_INDEX.sortKey, KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' as const },
      },
      {
        IndexName: DUE_INDEX.indexName,
        KeySchema: [
          { AttributeName: DUE_INDEX.partitionKey, KeyType: 'HASH' as const },
          { AttributeName: DUE_INDEX.sortKey, KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'ALL' as const },
      },
    ],
  };
}

/** CreateTable input of the Powertools idempotency table. */
export function idempotencyTableDefinition(tableName: string) {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [{ AttributeName: IDEMPOTENCY_KEYS.partitionKey, AttributeType: 'S' as const }],
    KeySchema: [{ AttributeName: IDEMPOTENCY_KEYS.partitionKey, KeyType: 'HASH' as const }],
  };
}
