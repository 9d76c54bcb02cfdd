import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  DeleteCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { MIN_RESERVATION_TTL_SECONDS } from '../../domain/limits.ts';
import type { QuantityBucket, Reservation, ReservationLine, WaitlistPosition } from '../../domain/model.ts';
import {
  type BookingState,
  type DueHold,
  type InventoryStore,
  type LineMovement,
  type Page,
  type ReservationWrite,
  type StockChange,
  type StoredItem,
  type WaitlistEntry,
  waitlistChange,
} from '../../domain/ports.ts';
import { DEFAULT_CONFLICT_RETRY, type RetryPolicy, withJitteredRetries } from '../retry.ts';
import { DUE_INDEX, DUE_SHARDS, ITEMS_INDEX, ITEMS_PARTITION } from '../table-schema.ts';
import { type Action, explainCancellation, isConflictOnly, type TransactItem } from './cancellation.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { readStoredItem } from './item-read.ts';
import {
  bookingKey,
  HOLD_PREFIX,
  holdKey,
  itemKey,
  itemRow,
  LEDGER_COUNT,
  ledgerRow,
  reservationRow,
  SUFFIX_MAX,
  toReservation,
  toStoredItem,
  UNCLAIMED,
  WAITLIST_PREFIX,
  waitlistKey,
} from './table-layout.ts';

const COUNTER: Record<Exclude<QuantityBucket, 'outside'>, string> = {
  available: 'availableQuantity',
  reserved: 'reservedQuantity',
  confirmed: 'confirmedQuantity',
};

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
  /** Per item, a time before which none of its holds can be due (see findDueHolds). */
  readonly #noHoldDueBefore = new Map<string, string>();

  constructor(options: DynamoDbInventoryStoreOptions) {
    this.#db = options.client;
    this.#table = options.tableName;
    this.#retry = options.conflictRetry ?? DEFAULT_CONFLICT_RETRY;
    this.#random = options.random ?? Math.random;
  }

  getItem(itemId: string): Promise<StoredItem | undefined> {
    return readStoredItem(this.#db, this.#table, itemId);
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
    // The row carries what the decision moved: the change stream writes its ledger rows and
    // the hold rows (projection.ts), so the transaction is the record and the counters only.
    const moves = { type: write.movementType, at: write.now, lines: write.movements };
    items.push({
      Put: {
        TableName: this.#table,
        Item: reservationRow(next, moves),
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
    const queue = waitlistChange(write);
    for (const line of write.checks ?? []) {
      items.push(this.#availabilityCheck(line));
      actions.push({ kind: 'line', itemId: line.itemId, quantity: line.quantity, from: 'available' });
    }
    for (const movement of write.movements) {
      // Units a waitlisted booking is served come out of what the waitlist asks for.
      const served = queue === 'leave' && movement.from === 'available';
      items.push(this.#movementUpdate(movement, write.now, served));
      actions.push({
        kind: 'line',
        itemId: movement.itemId,
        quantity: movement.quantity,
        from: movement.from,
        ...(served ? { served: true } : {}),
      });
    }
    if (queue && next.waitlist) {
      const moved = new Set(write.movements.map((m) => m.itemId));
      for (const line of next.items) {
        const key = waitlistKey(line.itemId, next.waitlist, next.bookingId);
        if (queue === 'enter') {
          items.push(this.#waitlistCount(line, +1, write.now));
          actions.push({ kind: 'line', itemId: line.itemId, quantity: line.quantity, from: 'outside' });
          items.push({
            Put: {
              TableName: this.#table,
              Item: {
                ...key,
                entity: 'WAITLIST',
                bookingId: next.bookingId,
                itemId: line.itemId,
                quantity: line.quantity,
                since: next.waitlist.since,
              },
            },
          });
        } else {
          if (!moved.has(line.itemId)) {
            items.push(this.#waitlistCount(line, -1, write.now));
            actions.push({ kind: 'line', itemId: line.itemId, quantity: line.quantity, from: 'outside' });
          }
          items.push({ Delete: { TableName: this.#table, Key: key } });
        }
        actions.push({ kind: 'entry' });
      }
    }
    await this.#transact(items, actions);
  }

  /**
   * Reads each item's hold rows in expiry order (at most `limit`) and returns those due. What it learns is kept: when an item's first hold is not due, no hold of that
   * item can be due before that hold's expiry, nor before `MIN_RESERVATION_TTL_SECONDS`
   * from now (a new hold never expires sooner), so a refusal storm on a hot item asks
   * again at most once a second per container. A hold written by a container whose clock
   * is behind, or whose row the change stream wrote late, may be reclaimed up to that second
   * late (the sweeper expires it anyway, from the booking rows).
   */
  async findDueHolds(itemIds: readonly string[], now: string, limit: number): Promise<DueHold[]> {
    const holds: DueHold[] = [];
    for (const itemId of new Set(itemIds)) {
      if (now < (this.#noHoldDueBefore.get(itemId) ?? '')) continue;
      const out = await this.#db.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': itemKey(itemId).pk, ':prefix': HOLD_PREFIX },
          ProjectionExpression: 'bookingId, sk',
          Limit: limit,
        }),
      );
      const soonest = new Date(Date.parse(now) + MIN_RESERVATION_TTL_SECONDS * 1000).toISOString();
      let nextDue = soonest;
      let due = 0;
      for (const row of out.Items ?? []) {
        const expiresAt = String(row.sk).slice(HOLD_PREFIX.length, HOLD_PREFIX.length + now.length);
        if (expiresAt > now) {
          if (expiresAt < nextDue) nextDue = expiresAt;
          break;
        }
        holds.push({ bookingId: String(row.bookingId), itemId, expiresAt });
        due++;
      }
      // Only when nothing was due: due holds are asked for again until they are expired.
      if (due === 0) this.#noHoldDueBefore.set(itemId, nextDue);
    }
    return holds;
  }

  async dropHold(hold: DueHold): Promise<void> {
    await this.#db.send(
      new DeleteCommand({
        TableName: this.#table,
        Key: holdKey(hold.itemId, hold.expiresAt, hold.bookingId),
      }),
    );
  }

  async createItem(item: StoredItem, reason: string): Promise<void> {
    await this.#transact(
      [
        {
          Put: {
            TableName: this.#table,
            // Its creation is the item's first ledger row.
            Item: itemRow({ ...item, ledgerCount: 1 }),
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
      ':zero': 0,
    };
    let set = `totalQuantity = totalQuantity + :d, availableQuantity = availableQuantity + :d, ${UNCLAIMED} = ${UNCLAIMED} + :d, version = version + :one, updatedAt = :now, adjustment = :adjustment, ${LEDGER_COUNT_INCREMENT}`;
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
    return rows.map(toReservation).filter((r) => r.status === 'RESERVED' || r.status === 'WAITLISTED');
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

  /**
   * One line's move between counters. Units leaving `available` for a new reserve must be
   * unclaimed by the waitlist (nobody jumps the queue); units served to a waitlisted
   * booking leave what the waitlist asks for instead. Units back in `available` are
   * unclaimed until the waitlist server hands them on.
   */
  #movementUpdate(movement: LineMovement, now: string, served = false): TransactItem {
    const names: Record<string, string> = {};
    // Each move owes its item one ledger row (written from the stream): counted here.
    const sets: string[] = ['updatedAt = :now', 'version = version + :one', LEDGER_COUNT_INCREMENT];
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
    if (movement.from === 'available' && served) {
      sets.push('waitlistedQuantity = waitlistedQuantity - :q');
    } else if (movement.from === 'available') {
      names['#unclaimed'] = UNCLAIMED;
      sets.push('#unclaimed = #unclaimed - :q');
      condition += ' AND #unclaimed >= :q';
    } else if (movement.to === 'available') {
      names['#unclaimed'] = UNCLAIMED;
      sets.push('#unclaimed = #unclaimed + :q');
    }
    return {
      Update: {
        TableName: this.#table,
        Key: itemKey(movement.itemId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':q': movement.quantity, ':now': now, ':one': 1, ':zero': 0 },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    };
  }

  #availabilityCheck(line: ReservationLine): TransactItem {
    return {
      ConditionCheck: {
        TableName: this.#table,
        Key: itemKey(line.itemId),
        ConditionExpression: 'attribute_exists(pk) AND #unclaimed >= :q',
        ExpressionAttributeNames: { '#unclaimed': UNCLAIMED },
        ExpressionAttributeValues: { ':q': line.quantity },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    };
  }

  /** A waitlisted booking joins (+1) or leaves unserved (-1) the waitlist of one line's item. */
  #waitlistCount(line: ReservationLine, sign: 1 | -1, now: string): TransactItem {
    return {
      Update: {
        TableName: this.#table,
        Key: itemKey(line.itemId),
        UpdateExpression:
          'SET waitlistedQuantity = waitlistedQuantity + :w, #unclaimed = #unclaimed - :w, updatedAt = :now, version = version + :one',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#unclaimed': UNCLAIMED },
        ExpressionAttributeValues: { ':w': sign * line.quantity, ':now': now, ':one': 1 },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    };
  }

  async waitlistHead(itemId: string, limit: number): Promise<WaitlistEntry[]> {
    const out = await this.#db.send(
      new QueryCommand({
        TableName: this.#table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': itemKey(itemId).pk, ':prefix': WAITLIST_PREFIX },
        ConsistentRead: true,
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map((row) => ({
      bookingId: String(row.bookingId),
      itemId,
      quantity: Number(row.quantity),
      since: String(row.since),
    }));
  }

  async waitlistPositions(record: Reservation): Promise<WaitlistPosition[]> {
    const ticket = record.waitlist;
    if (record.status !== 'WAITLISTED' || !ticket) return [];
    const positions: WaitlistPosition[] = [];
    for (const itemId of ticket.shortItemIds) {
      const key = waitlistKey(itemId, ticket, record.bookingId);
      let ahead = 0;
      let startKey: Record<string, unknown> | undefined;
      do {
        const out = await this.#db.send(
          new QueryCommand({
            TableName: this.#table,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
            ExpressionAttributeValues: { ':pk': key.pk, ':from': WAITLIST_PREFIX, ':to': key.sk },
            Select: 'COUNT',
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
        ahead += out.Count ?? 0;
        startKey = out.LastEvaluatedKey;
      } while (startKey);
      // The range includes the booking's own entry: its count is its 1-based position.
      positions.push({ itemId, position: Math.max(1, ahead) });
    }
    return positions;
  }

  #ledgerPut(itemId: string, suffix: string, body: Record<string, unknown>): TransactItem {
    return {
      Put: {
        TableName: this.#table,
        Item: ledgerRow(itemId, suffix, body),
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

/** Counts one more ledger row owed by the item (items stored before it was kept start at 0). */
const LEDGER_COUNT_INCREMENT = `${LEDGER_COUNT} = if_not_exists(${LEDGER_COUNT}, :zero) + :one`;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
