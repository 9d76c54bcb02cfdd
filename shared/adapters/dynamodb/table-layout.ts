import { WAITLIST_PRIORITIES } from '../../domain/limits.ts';
import type { Reservation, WaitlistTicket } from '../../domain/model.ts';
import type { LineMovement, StoredItem } from '../../domain/ports.ts';
import { expiresAt, TTL_ATTRIBUTE } from '../../domain/retention.ts';
import { DUE_INDEX, DUE_SHARDS, ITEMS_INDEX, ITEMS_PARTITION } from '../table-schema.ts';

/**
 * The table's layout, written once: the keys of every row kind, the stored shape of items
 * and booking records, and their mapping back. The store, the audit store, the stream
 * publisher, the local seed, the tests and the bench use these instead of spelling keys.
 */

/** Ledger rows sort under this prefix in their item's partition. */
export const LEDGER_PREFIX = 'MOVE#';
/** Hold rows sort under this prefix in their item's partition. */
export const HOLD_PREFIX = 'HOLD#';

export const itemKey = (itemId: string) => ({ pk: `ITEM#${itemId}`, sk: 'ITEM' });
export const bookingKey = (bookingId: string) => ({ pk: `BOOKING#${bookingId}`, sk: 'RESERVATION' });
/** A hold of one line: in its item's partition, sorted by expiry, so due holds are read per item. */
export const holdKey = (itemId: string, expiresAt: string, bookingId: string) => ({
  pk: itemKey(itemId).pk,
  sk: `${HOLD_PREFIX}${expiresAt}#${bookingId}`,
});

/**
 * A hold row: one line of a RESERVED booking, under its item, sorted by expiry. Written and
 * removed from the table's change stream (dynamodb/projection.ts), never by the booking's
 * transaction: it is an index for reclaiming due holds, not a record of stock.
 */
export const holdRow = (itemId: string, expiresAt: string, bookingId: string, quantity: number) => ({
  ...holdKey(itemId, expiresAt, bookingId),
  entity: 'HOLD',
  bookingId,
  quantity,
});

/**
 * A stock-ledger row: `body.quantity` units of one item moved between buckets. Booking
 * decisions' rows are written from the table's change stream (their key is the decision
 * time, the booking and its version, so a re-read writes the same row); an administrative
 * change writes its row in its own transaction.
 */
export function ledgerRow(
  itemId: string,
  suffix: string,
  body: Record<string, unknown>,
): Record<string, unknown> {
  return { pk: itemKey(itemId).pk, sk: `${LEDGER_PREFIX}${suffix}`, entity: 'MOVEMENT', itemId, ...body };
}

/** The ledger key suffix of a booking decision's move: decision time, booking, version. */
export const decisionLedgerSuffix = (at: string, bookingId: string, version: number) =>
  `${at}#${bookingId}#${version}`;

/**
 * The item attribute counting the ledger rows the item's changes have produced, committed
 * with each change (a move of its units, its creation, an adjustment). Rows a booking's
 * decision owes are written from the stream after the commit, so the reconciler trusts an
 * item's ledger only once it holds this many rows.
 */
export const LEDGER_COUNT = 'ledgerCount';

/**
 * What a booking decision moved, carried on the booking row it wrote (attribute `moves`):
 * the change stream writes the decision's ledger rows from it.
 */
export interface DecisionMoves {
  type: string;
  at: string;
  lines: LineMovement[];
}
/** Waitlist entries sort under this prefix in their item's partition. */
export const WAITLIST_PREFIX = 'WAIT#';
/**
 * One line of a waitlisted booking: in its item's partition, sorted by tier (premium
 * first), then by when it joined, then by booking: the order the item's waitlist is served in.
 */
export const waitlistKey = (itemId: string, ticket: WaitlistTicket, bookingId: string) => ({
  pk: itemKey(itemId).pk,
  sk: `${WAITLIST_PREFIX}${WAITLIST_PRIORITIES.indexOf(ticket.priority)}#${ticket.since}#${bookingId}`,
});
/** Sorts after every `#<id>` suffix, so `<= now + MAX` selects everything due at `now`. */
export const SUFFIX_MAX = '#\uffff';

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
  const waitlisted = item.waitlistedQuantity ?? 0;
  return {
    ...itemKey(item.itemId),
    entity: 'ITEM',
    [ITEMS_INDEX.partitionKey]: ITEMS_PARTITION,
    [ITEMS_INDEX.sortKey]: item.itemId,
    ...item,
    waitlistedQuantity: waitlisted,
    // What a new reserve may take: the available units nobody on the waitlist asks for.
    // Kept by every write of the counters, since a condition cannot subtract.
    [UNCLAIMED]: item.availableQuantity - waitlisted,
    [LEDGER_COUNT]: item.ledgerCount ?? 0,
  };
}

/** The item attribute `availableQuantity - waitlistedQuantity` (may be negative). */
export const UNCLAIMED = 'unclaimedQuantity';

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
export function reservationRow(reservation: Reservation, moves?: DecisionMoves): Record<string, unknown> {
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
    // Due holds and due waitlist tickets: the sweeper ends both.
    ...(reservation.status === 'RESERVED' || reservation.status === 'WAITLISTED'
      ? {
          [DUE_INDEX.partitionKey]: `EXPIRY#${shardOf(reservation.bookingId)}`,
          [DUE_INDEX.sortKey]: `${reservation.expiresAt}#${reservation.bookingId}`,
        }
      : {}),
    ...(moves && moves.lines.length > 0 ? { moves } : {}),
  };
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
    waitlistedQuantity: Number(row.waitlistedQuantity ?? 0),
    updatedAt: String(row.updatedAt),
    version: Number(row.version),
    ...(row[LEDGER_COUNT] === undefined ? {} : { ledgerCount: Number(row[LEDGER_COUNT]) }),
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
  'waitlist',
] as const;

/** A booking record from its stored row (a read, or a change stream image). */
export function toReservation(row: Record<string, unknown>): Reservation {
  const reservation: Record<string, unknown> = {};
  for (const field of RESERVATION_FIELDS) {
    if (row[field] !== undefined) reservation[field] = row[field];
  }
  return reservation as unknown as Reservation;
}
