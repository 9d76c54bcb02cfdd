import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb-local.ts';
import { createDocumentClient } from '../../shared/adapters/aws-clients.ts';
import { DynamoDbProjector } from '../../shared/adapters/dynamodb/projection.ts';
import {
  DynamoDbInventoryStore,
  itemKey,
  itemRow,
  LEDGER_PREFIX,
  newItem,
} from '../../shared/adapters/dynamodb-store.ts';
import { domainTableDefinition, idempotencyTableDefinition } from '../../shared/adapters/table-schema.ts';
import type { Item } from '../../shared/domain/model.ts';
import { type StreamedStore, streamedStore, TableStream } from './stream.ts';

/**
 * This test file's own in-memory DynamoDB Local: started with its first table, stopped when
 * its last table is dropped (vitest loads this module afresh for every file). One instance
 * for the whole run slowed down as the run went on: the last integration files took 3 to 5
 * times as long as alone, and `npm run test:integration` 219 s. One per file: 109 s, each
 * file about as long as alone. (One per table: 162 s; the waitlist property makes nine.)
 */
let fileLocal: { users: number; started: Promise<DynamoDbLocal> } | undefined;

/** Takes a share of this file's DynamoDB Local; `release` stops it after its last user. */
export async function acquireDynamoDbLocal(): Promise<{ endpoint: string; release(): Promise<void> }> {
  fileLocal ??= { users: 0, started: startDynamoDbLocal() };
  const local = fileLocal;
  local.users++;
  const { endpoint } = await local.started;
  return {
    endpoint,
    async release() {
      if (--local.users > 0) return;
      fileLocal = undefined;
      await (await local.started).stop();
    },
  };
}

/** A fresh domain table (and idempotency table) on this file's DynamoDB Local. */
export interface TestTables {
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  tableName: string;
  idempotencyTableName: string;
  /** The store, its committed changes published through the table's stream to the current deps(). */
  store: StreamedStore;
  /** The store without the stream tap (nothing writes its ledger and hold rows). */
  plainStore: DynamoDbInventoryStore;
  /** The change stream's writer of ledger and hold rows, on this table. */
  projector: DynamoDbProjector;
  stream: TableStream;
  endpoint: string;
  drop(): Promise<void>;
}

export function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
  });
}

export async function createTestTables(prefix = 'inventory'): Promise<TestTables> {
  const { endpoint, release } = await acquireDynamoDbLocal();
  const client = localClient(endpoint);
  const doc = createDocumentClient(client);
  const suffix = randomUUID().slice(0, 8);
  const tableName = `${prefix}-${suffix}`;
  const idempotencyTableName = `${prefix}-idem-${suffix}`;
  await client.send(new CreateTableCommand(domainTableDefinition(tableName)));
  await client.send(new CreateTableCommand(idempotencyTableDefinition(idempotencyTableName)));
  const plainStore = new DynamoDbInventoryStore({ client: doc, tableName });
  const stream = new TableStream(client, tableName, endpoint);
  const projector = new DynamoDbProjector({ client: doc, tableName });
  return {
    client,
    doc,
    tableName,
    idempotencyTableName,
    endpoint,
    store: streamedStore(plainStore, stream, projector),
    projector,
    plainStore,
    stream,
    async drop() {
      stream.destroy();
      await client.send(new DeleteTableCommand({ TableName: tableName }));
      await client.send(new DeleteTableCommand({ TableName: idempotencyTableName }));
      client.destroy();
      await release();
    },
  };
}

/** Writes an item row directly (test setup), everything available. */
export async function seedItem(
  doc: DynamoDBDocumentClient,
  tableName: string,
  itemId: string,
  totalQuantity: number,
  name = itemId,
): Promise<void> {
  await doc.send(
    new PutCommand({
      TableName: tableName,
      Item: itemRow(newItem(itemId, totalQuantity, name, '2026-01-01T00:00:00.000Z')),
    }),
  );
}

/** Every row of the table (small test tables only). */
export async function scanAll(
  doc: DynamoDBDocumentClient,
  tableName: string,
): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    rows.push(...(out.Items ?? []));
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return rows;
}

/** Ledger rows of one item. */
export async function ledgerOf(
  doc: DynamoDBDocumentClient,
  tableName: string,
  itemId: string,
): Promise<Record<string, unknown>[]> {
  const out = await doc.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)',
      ExpressionAttributeValues: { ':pk': itemKey(itemId).pk, ':m': LEDGER_PREFIX },
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
}

export const invariantHolds = (item: Item) =>
  item.totalQuantity === item.availableQuantity + item.reservedQuantity + item.confirmedQuantity &&
  item.availableQuantity >= 0 &&
  item.reservedQuantity >= 0 &&
  item.confirmedQuantity >= 0;
