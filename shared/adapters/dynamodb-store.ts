import { type AttributeValue, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  BatchWriteCommand,
  type BatchWriteCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  ConcurrentModificationError,
  InsufficientInventoryError,
  ItemNotFoundError,
  type Shortfall,
  StockConflictError,
} from '../domain/errors.ts';
import type { QuantityBucket, Reservation, ReservationLine } from '../domain/model.ts';
import type {
  BookingState,
  InventoryStore,
  LineMovement,
  OutgoingEvent,
  Page,
  ReservationWrite,
  StockChange,
  StoredItem,
} from '../domain/ports.ts';
import { expiresAt, TTL_ATTRIBUTE } from '../domain/retention.ts';
import { decodeCursor, encodeCursor } from './dynamodb/cursor.ts';
import { DEFAULT_CONFLICT_RETRY, type RetryPolicy, withJitteredRetries } from './retry.ts';
import { DUE_INDEX, DUE_SHARDS, ITEMS_INDEX, ITEMS_PARTITION } from './table-schema.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** What each action of a transaction is, so a cancellation reason can be explained. */
type Action =
  | { kind: 'reservation' }
  | { kind: 'line'; itemId: string; quantity: number; from: QuantityBucket }
  | { kind: 'stock'; change: StockChange }
  | { kind: 'new-item' }
  | { kind: 'append' }
  | { kind: 'hold' };

const COUNTER: Record<Exclude<QuantityBucket, 'outside'>, string> = {
  available: 'availableQuantity',
  reserved: 'reservedQuantity',
  confirmed: 'confirmedQuantity',
};

const itemKey = (itemId: string) => ({ pk: `ITEM#${itemId}`, sk: 'ITEM' });
const bookingKey = (bookingId: string) => ({ pk: `BOOKING#${bookingId}`, sk: 'RESERVATION' });
/** A hold of one line: in its item's partition, sorted by expiry, so due holds are read per item. */
const holdKey = (itemId: string, expiresAt: string, bookingId: string) => ({
  pk: `ITEM#${itemId}`,
  sk: `HOLD#${expiresAt}#${bookingId}`,
});
/** Sorts after every `#<id>` suffix, so `<= now + MAX` selects everything due at `now`. */
const SUFFIX_MAX = '#\uffff';

/** FNV-1a: a cheap, stable hash to spread keys over the due index's shards. */
export function shardOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % DUE_SHARDS;
}

/** The stored row of an item: keys, the items-index keys and the item. */
export function itemRow(item: StoredItem): Record<string, unknown> {
  return {
    ...itemKey(item.itemId),
    entity: 'ITEM',
    [ITEMS_INDEX.partitionKey]: ITEMS_PARTITION,
    [ITEMS_INDEX.sortKey]: item.itemId,
    ...item,
  };
}

/** A new item with all its stock available (seeding, tests, benchmarks). */
export function newItem(
  itemId: string,
  totalQuantity: number,
  name = itemId,
  now = new Date().toISOString(),
): StoredItem {
  return {
    itemId,
    name,
    totalQuantity,
    availableQuantity: totalQuantity,
    reservedQuantity: 0,
    confirmedQuantity: 0,
    updatedAt: now,
    version: 1,
  };
}

/**
 * The stored row of a booking's record; while RESERVED it sits in the due index by expiry.
 * A finished record (released, expired, refused, or cancelled before it was reserved)
 * expires after the retention every late delivery fits in (shared/domain/retention.ts);
 * held and confirmed ones never do (a cancellation may come much later).
 */
export function reservationRow(reservation: Reservation): Record<string, unknown> {
  const finished =
    reservation.status === 'RELEASED' ||
    reservation.status === 'EXPIRED' ||
    reservation.status === 'REFUSED' ||
    (reservation.status === 'PENDING' && reservation.cancelled === true);
  return {
    ...bookingKey(reservation.bookingId),
    entity: 'RESERVATION',
    ...reservation,
    ...(finished
      ? {
          [TTL_ATTRIBUTE]: expiresAt(
            reservation.decidedAt ?? reservation.releasedAt ?? reservation.createdAt,
          ),
        }
      : {}),
    ...(reservation.status === 'RESERVED'
      ? {
          [DUE_INDEX.partitionKey]: `EXPIRY#${shardOf(reservation.bookingId)}`,
          [DUE_INDEX.sortKey]: `${reservation.expiresAt}#${reservation.bookingId}`,
        }
      : {}),
  };
}

export interface DynamoDbInventoryStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Retries of a transaction cancelled by `TransactionConflict`. */
  conflictRetry?: RetryPolicy;
  /** Picks the first shard a sweep reads (random by default, so no shard starves). */
  random?: () => number;
}

/**
 * The DynamoDB adapter of the InventoryStore port: one table, every change one
 * `TransactWriteItems`, cancellation reasons translated into domain errors.
 */
export class DynamoDbInventoryStore implements InventoryStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #retry: RetryPolicy;
  readonly #random: () => number;

  constructor(options: DynamoDbInventoryStoreOptions) {
    this.#db = options.client;
    this.#table = options.tableName;
    this.#retry = options.conflictRetry ?? DEFAULT_CONFLICT_RETRY;
    this.#random = options.random ?? Math.random;
  }

  async getItem(itemId: string): Promise<StoredItem | undefined> {
    const { Item } = await this.#db.send(
      new GetCommand({ TableName: this.#table, Key: itemKey(itemId), ConsistentRead: true }),
    );
    return Item ? toStoredItem(Item) : undefined;
  }

  async getItems(itemIds: readonly string[]): Promise<Map<string, StoredItem>> {
    const found = new Map<string, StoredItem>();
    const unique = [...new Set(itemIds)];
    for (let i = 0; i < unique.length; i += 100) {
      let keys: Record<string, unknown>[] | undefined = unique.slice(i, i + 100).map(itemKey);
      for (let round = 0; keys && keys.length > 0; round++) {
        if (round > 0) await sleep(Math.min(1000, 50 * 2 ** round));
        if (round > 8) throw new Error('BatchGetItem kept returning unprocessed keys');
        const out: BatchGetCommandOutput = await this.#db.send(
          new BatchGetCommand({ RequestItems: { [this.#table]: { Keys: keys, ConsistentRead: true } } }),
        );
        for (const row of out.Responses?.[this.#table] ?? []) {
          const item = toStoredItem(row);
          found.set(item.itemId, item);
        }
        keys = out.UnprocessedKeys?.[this.#table]?.Keys;
      }
    }
    return found;
  }

  async listItems(page: { limit: number; cursor?: string }): Promise<Page<StoredItem>> {
    const out = await this.#db.send(
      new QueryCommand({
        TableName: this.#table,
        IndexName: ITEMS_INDEX.indexName,
        KeyConditionExpression: '#p = :p',
        ExpressionAttributeNames: { '#p': ITEMS_INDEX.partitionKey },
        ExpressionAttributeValues: { ':p': ITEMS_PARTITION },
        Limit: page.limit,
        ...(page.cursor ? { ExclusiveStartKey: decodeCursor(page.cursor, itemKey) } : {}),
      }),
    );
    const ids = (out.Items ?? []).map((row) => String(row[ITEMS_INDEX.sortKey]));
    const items = await this.getItems(ids);
    return {
      items: ids.flatMap((id) => {
        const item = items.get(id);
        return item ? [item] : [];
      }),
      ...(out.LastEvaluatedKey ? { cursor: encodeCursor(out.LastEvaluatedKey) } : {}),
    };
  }

  async getBooking(bookingId: string): Promise<BookingState> {
    const { Items = [] } = await this.#db.send(
      new QueryCommand({
        TableName: this.#table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': bookingKey(bookingId).pk },
        ConsistentRead: true,
      }),
    );
    const state: BookingState = {};
    for (const row of Items) {
      if (row.sk === 'RESERVATION') state.reservation = toReservation(row);
    }
    return state;
  }

  async writeReservation(write: ReservationWrite): Promise<void> {
    const { next, expected } = write;
    const items: TransactItem[] = [];
    const actions: Action[] = [];
    items.push({
      Put: {
        TableName: this.#table,
        Item: reservationRow(next),
        ...(expected.kind === 'absent'
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : {
              ConditionExpression: '#status = :expectedStatus AND #version = :expectedVersion',
              ExpressionAttributeNames: { '#status': 'status', '#version': 'version' },
              ExpressionAttributeValues: {
                ':expectedStatus': expected.status,
                ':expectedVersion': expected.version,
              },
            }),
      },
    });
    actions.push({ kind: 'reservation' });
    for (const line of write.checks ?? []) {
      items.push(this.#availabilityCheck(line));
      actions.push({ kind: 'line', itemId: line.itemId, quantity: line.quantity, from: 'available' });
    }
    for (const movement of write.movements) {
      items.push(this.#movementUpdate(movement, write.now));
      actions.push({
        kind: 'line',
        itemId: movement.itemId,
        quantity: movement.quantity,
        from: movement.from,
      });
    }
    for (const movement of write.movements) {
      items.push(
        this.#ledgerPut(movement.itemId, `${write.now}#${next.bookingId}#${next.version}`, {
          type: write.movementType,
          bookingId: next.bookingId,
          reservationId: next.reservationId,
          quantity: movement.quantity,
          from: movement.from,
          to: movement.to,
          at: write.now,
          correlationId: next.correlationId,
        }),
      );
      actions.push({ kind: 'append' });
    }
    for (const movement of write.movements) {
      if (movement.to === 'reserved') {
        items.push({
          Put: {
            TableName: this.#table,
            Item: {
              ...holdKey(movement.itemId, next.expiresAt, next.bookingId),
              entity: 'HOLD',
              bookingId: next.bookingId,
              quantity: movement.quantity,
            },
          },
        });
        actions.push({ kind: 'hold' });
      } else if (movement.from === 'reserved' && expected.kind === 'state') {
        items.push({
          Delete: {
            TableName: this.#table,
            Key: holdKey(movement.itemId, expected.expiresAt, next.bookingId),
          },
        });
        actions.push({ kind: 'hold' });
      }
    }
    await this.#transact(items, actions);
  }

  async findDueHolds(itemIds: readonly string[], now: string, limit: number): Promise<string[]> {
    const bookings = new Set<string>();
    for (const itemId of new Set(itemIds)) {
      const out = await this.#db.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': `ITEM#${itemId}`,
            ':from': 'HOLD#',
            ':to': `HOLD#${now}${SUFFIX_MAX}`,
          },
          ProjectionExpression: 'bookingId',
          Limit: limit,
        }),
      );
      for (const row of out.Items ?? []) bookings.add(String(row.bookingId));
    }
    return [...bookings];
  }

  async createItem(item: StoredItem, reason: string): Promise<void> {
    await this.#transact(
      [
        {
          Put: {
            TableName: this.#table,
            Item: itemRow(item),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        this.#ledgerPut(item.itemId, `${item.updatedAt}#admin#${item.version}`, {
          type: 'CREATE',
          reason,
          quantity: item.totalQuantity,
          from: 'outside',
          to: 'available',
          at: item.updatedAt,
        }),
      ],
      [{ kind: 'new-item' }, { kind: 'append' }],
    );
  }

  async changeStock(change: StockChange): Promise<void> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {
      ':d': change.delta,
      ':v': change.expectedVersion,
      ':one': 1,
      ':now': change.now,
      ':min': Math.max(0, -change.delta),
      ':adjustment': change.adjustment,
    };
    let set =
      'totalQuantity = totalQuantity + :d, availableQuantity = availableQuantity + :d, version = version + :one, updatedAt = :now, adjustment = :adjustment';
    if (change.name !== undefined) {
      set += ', #name = :name';
      names['#name'] = 'name';
      values[':name'] = change.name;
    }
    await this.#transact(
      [
        {
          Update: {
            TableName: this.#table,
            Key: itemKey(change.itemId),
            UpdateExpression: `SET ${set}`,
            ConditionExpression: 'attribute_exists(pk) AND version = :v AND availableQuantity >= :min',
            ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
            ExpressionAttributeValues: values,
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        this.#ledgerPut(change.itemId, `${change.now}#admin#${change.expectedVersion + 1}`, {
          type: 'ADJUST',
          reason: change.reason,
          quantity: Math.abs(change.delta),
          from: change.delta > 0 ? 'outside' : 'available',
          to: change.delta > 0 ? 'available' : 'outside',
          at: change.now,
        }),
      ],
      [{ kind: 'stock', change }, { kind: 'append' }],
    );
  }

  async findDueReservations(now: string, limit: number): Promise<Reservation[]> {
    const rows = await this.#queryDue(now, limit);
    return rows.map(toReservation).filter((r) => r.status === 'RESERVED');
  }

  /** Reads the due index shard by shard, starting at a random shard, until `limit` rows. */
  async #queryDue(now: string, limit: number): Promise<Record<string, unknown>[]> {
    const rows: Record<string, unknown>[] = [];
    const first = Math.floor(this.#random() * DUE_SHARDS);
    for (let n = 0; n < DUE_SHARDS && rows.length < limit; n++) {
      const shard = (first + n) % DUE_SHARDS;
      let startKey: Record<string, unknown> | undefined;
      do {
        const out = await this.#db.send(
          new QueryCommand({
            TableName: this.#table,
            IndexName: DUE_INDEX.indexName,
            KeyConditionExpression: '#p = :p AND #s <= :s',
            ExpressionAttributeNames: { '#p': DUE_INDEX.partitionKey, '#s': DUE_INDEX.sortKey },
            ExpressionAttributeValues: { ':p': `EXPIRY#${shard}`, ':s': `${now}${SUFFIX_MAX}` },
            Limit: limit - rows.length,
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
        rows.push(...(out.Items ?? []));
        startKey = out.LastEvaluatedKey;
      } while (startKey && rows.length < limit);
    }
    return rows;
  }

  #movementUpdate(movement: LineMovement, now: string): TransactItem {
    const names: Record<string, string> = {};
    const sets: string[] = ['updatedAt = :now', 'version = version + :one'];
    let condition = 'attribute_exists(pk)';
    if (movement.from !== 'outside') {
      names['#from'] = COUNTER[movement.from];
      sets.push('#from = #from - :q');
      condition += ' AND #from >= :q';
    }
    if (movement.to !== 'outside') {
      names['#to'] = COUNTER[movement.to];
      sets.push('#to = #to + :q');
    }
    return {
      Update: {
        TableName: this.#table,
        Key: itemKey(movement.itemId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':q': movement.quantity, ':now': now, ':one': 1 },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    };
  }

  #availabilityCheck(line: ReservationLine): TransactItem {
    return {
      ConditionCheck: {
        TableName: this.#table,
        Key: itemKey(line.itemId),
        ConditionExpression: 'attribute_exists(pk) AND availableQuantity >= :q',
        ExpressionAttributeValues: { ':q': line.quantity },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    };
  }

  #ledgerPut(itemId: string, suffix: string, body: Record<string, unknown>): TransactItem {
    return {
      Put: {
        TableName: this.#table,
        Item: { pk: `ITEM#${itemId}`, sk: `MOVE#${suffix}`, entity: 'MOVEMENT', itemId, ...body },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  /** One TransactWriteItems, retried on TransactionConflict, failures explained by `actions`. */
  async #transact(items: TransactItem[], actions: Action[]): Promise<void> {
    try {
      await withJitteredRetries(
        () => this.#db.send(new TransactWriteCommand({ TransactItems: items })),
        isConflictOnly,
        this.#retry,
      );
    } catch (error) {
      if (error instanceof TransactionCanceledException) throw explainCancellation(error, actions);
      throw error;
    }
  }
}

/** A conditional append (ledger, remembered payment) found its row already written. */
class DuplicateAppendError extends Error {
  override name = 'DuplicateAppendError';
}

function isConflictOnly(error: unknown): boolean {
  if (!(error instanceof TransactionCanceledException)) return false;
  const codes = (error.CancellationReasons ?? []).map((r) => r.Code);
  return codes.includes('TransactionConflict') && !codes.includes('ConditionalCheckFailed');
}

/** Turns a cancelled transaction into the domain error that says what failed. */
function explainCancellation(error: TransactionCanceledException, actions: Action[]): Error {
  const reasons = error.CancellationReasons ?? [];
  const failed = reasons.flatMap((reason, index) => {
    const action = actions[index];
    return reason.Code === 'ConditionalCheckFailed' && action ? [{ action, old: reason.Item }] : [];
  });
  if (failed.length === 0) {
    const conflict = reasons.some((r) => r.Code === 'TransactionConflict');
    return conflict
      ? new ConcurrentModificationError('Transaction kept conflicting with concurrent writes', {
          cause: error,
        })
      : new Error(`Transaction cancelled: ${reasons.map((r) => r.Code).join(', ')}`, { cause: error });
  }
  // A changed reservation or payment means the decision was made on stale state: re-decide.
  if (failed.some((f) => f.action.kind === 'reservation' || f.action.kind === 'new-item')) {
    return new ConcurrentModificationError('The booking changed while it was being updated', {
      cause: error,
    });
  }
  const stock = failed.find((f) => f.action.kind === 'stock');
  if (stock && stock.action.kind === 'stock')
    return explainStockChange(stock.action.change, stock.old, error);
  const lines = failed.flatMap((f) => (f.action.kind === 'line' ? [{ ...f.action, old: f.old }] : []));
  if (lines.length > 0) {
    const missing = lines.filter((l) => !l.old).map((l) => l.itemId);
    if (missing.length > 0) return new ItemNotFoundError(missing);
    if (lines.every((l) => l.from === 'available')) {
      const olds = lines.map((l) => ({ line: l, item: unmarshall(l.old as Record<string, AttributeValue>) }));
      const shortfalls: Shortfall[] = olds.map(({ line, item }) => ({
        itemId: line.itemId,
        requested: line.quantity,
        available: Number(item.availableQuantity ?? 0),
      }));
      const held = new Map(olds.map(({ line, item }) => [line.itemId, Number(item.reservedQuantity ?? 0)]));
      return new InsufficientInventoryError(shortfalls, held);
    }
    return new Error(
      `Stock counters disagree with reservations for ${lines.map((l) => l.itemId).join(', ')}; run the reconciler`,
      { cause: error },
    );
  }
  if (failed.every((f) => f.action.kind === 'append')) {
    return new DuplicateAppendError('Row already written', { cause: error });
  }
  return new Error('Transaction cancelled', { cause: error });
}

function explainStockChange(
  change: StockChange,
  old: Record<string, AttributeValue> | undefined,
  cause: Error,
): Error {
  if (!old) return new ItemNotFoundError([change.itemId]);
  const item = unmarshall(old);
  if (Number(item.version) !== change.expectedVersion) {
    return new ConcurrentModificationError(`Item ${change.itemId} changed while it was being updated`, {
      cause,
    });
  }
  return new StockConflictError(`Not enough available units of ${change.itemId} to remove ${-change.delta}`, {
    cause,
    details: { itemId: change.itemId, requested: -change.delta, available: Number(item.availableQuantity) },
  });
}

/** An item from its stored row (a read, or a change stream image). */
export function toStoredItem(row: Record<string, unknown>): StoredItem {
  return {
    itemId: String(row.itemId),
    name: String(row.name),
    totalQuantity: Number(row.totalQuantity),
    availableQuantity: Number(row.availableQuantity),
    reservedQuantity: Number(row.reservedQuantity),
    confirmedQuantity: Number(row.confirmedQuantity),
    updatedAt: String(row.updatedAt),
    version: Number(row.version),
    ...(row.adjustment ? { adjustment: row.adjustment as StoredItem['adjustment'] } : {}),
  } as StoredItem;
}

const RESERVATION_FIELDS = [
  'reservationId',
  'bookingId',
  'status',
  'items',
  'expiresAt',
  'createdAt',
  'confirmedAt',
  'releasedAt',
  'releaseReason',
  'correlationId',
  'version',
  'generation',
  'paymentId',
  'owner',
  'cancelled',
  'paymentFailed',
  'payments',
  'refusal',
  'answers',
  'decidedAt',
  'causation',
] as const;

/** A booking record from its stored row (a read, or a change stream image). */
export function toReservation(row: Record<string, unknown>): Reservation {
  const reservation: Record<string, unknown> = {};
  for (const field of RESERVATION_FIELDS) {
    if (row[field] !== undefined) reservation[field] = row[field];
  }
  return reservation as unknown as Reservation;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
