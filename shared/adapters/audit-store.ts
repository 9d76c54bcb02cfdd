import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ConcurrentModificationError } from '../domain/errors.ts';
import type { QuantityBucket } from '../domain/model.ts';
import type { StoredItem } from '../domain/ports.ts';
import type { AuditStore, Buckets, Checkpoint, Counters, LedgerMove } from '../domain/use-cases/reconcile.ts';
import { readStoredItem } from './dynamodb/item-read.ts';
import { itemKey, LEDGER_PREFIX, toStoredItem, UNCLAIMED } from './dynamodb/table-layout.ts';
import { CHECKPOINT_PREFIX, ITEMS_INDEX, ITEMS_PARTITION } from './table-schema.ts';

/**
 * Checkpoints live in their own partition (not the item's), so the reconciler's checkpoint
 * writes can be granted on `AUDIT#*` keys alone (dynamodb:LeadingKeys) and never contend
 * with the item's transactions.
 */
export const checkpointKey = (itemId: string) => ({ pk: `${CHECKPOINT_PREFIX}${itemId}`, sk: 'CHECKPOINT' });
const LEDGER_END = `${LEDGER_PREFIX}\uffff`;

/**
 * DynamoDB adapter of the reconciler. Per run (on-demand prices, items under 1 KB):
 * - list: a keys-only query of the items index, 0.5 RCU per 4 KB (about 60 items per RCU);
 * - items and checkpoints: BatchGetItem, consistent, 1 RCU each, 100 keys a request;
 * - per changed item: one consistent ledger query, 1 RCU per 4 KB of new rows (min 1),
 *   and one checkpoint put (1 WCU);
 * - per suspect: 2 GetItem + 1 ledger query per confirmation attempt.
 * Nothing reads the table's history twice; docs/runbook.md gives the figures.
 */
export class DynamoDbAuditStore implements AuditStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#db = options.client;
    this.#table = options.tableName;
  }

  async listItemIds(cursor?: string): Promise<{ itemIds: string[]; cursor?: string }> {
    const out = await this.#db.send(
      new QueryCommand({
        TableName: this.#table,
        IndexName: ITEMS_INDEX.indexName,
        KeyConditionExpression: '#p = :p',
        ExpressionAttributeNames: { '#p': ITEMS_INDEX.partitionKey },
        ExpressionAttributeValues: { ':p': ITEMS_PARTITION },
        ...(cursor ? { ExclusiveStartKey: JSON.parse(cursor) } : {}),
      }),
    );
    return {
      itemIds: (out.Items ?? []).map((row) => String(row[ITEMS_INDEX.sortKey])),
      ...(out.LastEvaluatedKey ? { cursor: JSON.stringify(out.LastEvaluatedKey) } : {}),
    };
  }

  async getItemsWithCheckpoints(
    itemIds: readonly string[],
  ): Promise<Map<string, { item?: StoredItem; checkpoint?: Checkpoint }>> {
    const found = new Map<string, { item?: StoredItem; checkpoint?: Checkpoint }>(
      itemIds.map((id) => [id, {}]),
    );
    for (let i = 0; i < itemIds.length; i += 50) {
      let keys: Record<string, unknown>[] | undefined = itemIds
        .slice(i, i + 50)
        .flatMap((id) => [itemKey(id), checkpointKey(id)]);
      for (let round = 0; keys && keys.length > 0; round++) {
        if (round > 8) throw new Error('BatchGetItem kept returning unprocessed keys');
        if (round > 0) await sleep(Math.min(1000, 50 * 2 ** round));
        const out: BatchGetCommandOutput = await this.#db.send(
          new BatchGetCommand({ RequestItems: { [this.#table]: { Keys: keys, ConsistentRead: true } } }),
        );
        for (const row of out.Responses?.[this.#table] ?? []) {
          if (row.sk === 'ITEM') {
            const item = toStoredItem(row);
            found.set(item.itemId, { ...found.get(item.itemId), item });
          } else if (row.sk === 'CHECKPOINT') {
            const checkpoint = toCheckpoint(row);
            found.set(checkpoint.itemId, { ...found.get(checkpoint.itemId), checkpoint });
          }
        }
        keys = out.UnprocessedKeys?.[this.#table]?.Keys;
      }
    }
    return found;
  }

  getItem(itemId: string): Promise<StoredItem | undefined> {
    return readStoredItem(this.#db, this.#table, itemId);
  }

  async ledgerAfter(itemId: string, position: string): Promise<LedgerMove[]> {
    const moves: LedgerMove[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.#db.send(
        new QueryCommand({
          TableName: this.#table,
          // BETWEEN is inclusive: the checkpoint's own row comes back and is dropped below.
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': itemKey(itemId).pk,
            ':from': position || LEDGER_PREFIX,
            ':to': LEDGER_END,
          },
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const row of page.Items ?? []) {
        if (row.sk === position) continue;
        moves.push({
          position: String(row.sk),
          at: String(row.at),
          quantity: Number(row.quantity),
          from: row.from as QuantityBucket,
          to: row.to as QuantityBucket,
        });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return moves;
  }

  async saveCheckpoint(checkpoint: Checkpoint, previousRevision: number | undefined): Promise<void> {
    try {
      await this.#db.send(
        new PutCommand({
          TableName: this.#table,
          Item: { ...checkpointKey(checkpoint.itemId), entity: 'CHECKPOINT', ...checkpoint },
          ...(previousRevision === undefined
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: 'revision = :previous',
                ExpressionAttributeValues: { ':previous': previousRevision },
              }),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new ConcurrentModificationError(`Checkpoint of ${checkpoint.itemId} moved meanwhile`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  async repairItem(item: StoredItem, buckets: Buckets, now: string): Promise<void> {
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: itemKey(item.itemId),
          // What a new reserve may take follows available (the waitlist keeps its claim).
          UpdateExpression: `SET reservedQuantity = :r, confirmedQuantity = :c, availableQuantity = :a, totalQuantity = :t, ${UNCLAIMED} = :a - if_not_exists(waitlistedQuantity, :zero), version = version + :one, updatedAt = :now, repairedAt = :now`,
          ConditionExpression: 'version = :v',
          ExpressionAttributeValues: {
            ':r': buckets.reserved,
            ':c': buckets.confirmed,
            ':a': buckets.available,
            ':t': buckets.available + buckets.reserved + buckets.confirmed,
            ':one': 1,
            ':zero': 0,
            ':now': now,
            ':v': item.version,
          },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new ConcurrentModificationError(`Item ${item.itemId} changed during repair`, { cause: error });
      }
      throw error;
    }
  }
}

function toCheckpoint(row: Record<string, unknown>): Checkpoint {
  return {
    itemId: String(row.itemId),
    position: String(row.position ?? ''),
    counters: row.counters as Counters,
    ...(row.count === undefined ? {} : { count: Number(row.count) }),
    ...(row.verified ? { verified: row.verified as NonNullable<Checkpoint['verified']> } : {}),
    revision: Number(row.revision),
    at: String(row.at),
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
