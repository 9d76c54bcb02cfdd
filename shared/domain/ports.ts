import type {
  BookingStatus,
  Item,
  QuantityBucket,
  Reservation,
  ReservationLine,
  WaitlistPosition,
} from './model.ts';

/** Metadata every event detail carries. */
export interface EventMetadata {
  eventId: string;
  correlationId: string;
  causationId?: string;
  occurredAt: string;
  schemaVersion: string;
}

/** An event we publish: EventBridge source, detail-type and `{ metadata, data }` detail. */
export interface OutgoingEvent<D = Record<string, unknown>> {
  source: string;
  detailType: string;
  detail: { metadata: EventMetadata; data: D };
}

/** The causal context a change happens in: who asked, under which correlation id. */
export interface Causation {
  correlationId: string;
  /** The eventId of the event that caused this change, if an event did. */
  causationId?: string;
}

/** One line's quantity change: `quantity` units leave `from` and join `to`. */
export interface LineMovement {
  itemId: string;
  quantity: number;
  from: QuantityBucket;
  to: QuantityBucket;
}

/** What the reservation row must look like for a write to apply. */
export type ExpectedReservation =
  | { kind: 'absent' }
  | {
      kind: 'state';
      status: BookingStatus;
      version: number;
      /** The hold's expiry as read: names the hold rows a move out of `reserved` removes. */
      expiresAt: string;
    };

/**
 * One atomic change of a booking: the booking's record (with the decision and what it
 * moved) and the item counters (and waitlist entries) are written together or not at all.
 * A decision with no stock effect writes the record alone. The ledger rows and the per-item
 * hold rows follow from the committed record (the store's change stream writes them).
 */
export interface ReservationWrite {
  expected: ExpectedReservation;
  next: Reservation;
  movements: LineMovement[];
  /** Lines whose availability must hold for the write to apply, without moving units. */
  checks?: ReservationLine[];
  /** Ledger movement type, e.g. RESERVE, CONFIRM, RELEASE, EXPIRE. */
  movementType: string;
  now: string;
}

/**
 * Whether a write puts the booking on the waitlist (its lines' entries are added and their
 * units asked of the items), takes it off (removed, served or not), or neither.
 */
export function waitlistChange(write: ReservationWrite): 'enter' | 'leave' | undefined {
  const was = write.expected.kind === 'state' && write.expected.status === 'WAITLISTED';
  const is = write.next.status === 'WAITLISTED';
  if (is && !was) return 'enter';
  if (was && !is) return 'leave';
  return undefined;
}

/** An administrative stock change of one item. */
export interface StockChange {
  itemId: string;
  /** Units added to (or removed from) both total and available. */
  delta: number;
  name?: string;
  /** The item's version when it was read; the change applies only to that version. */
  expectedVersion: number;
  reason: string;
  /** What the change stream publishes as `InventoryAdjusted` (stamped with the new version). */
  adjustment: ItemAdjustment;
  now: string;
}

/** An item as stored, with its version for optimistic concurrency. */
export interface StoredItem extends Item {
  version: number;
  /**
   * How many stock-ledger rows the item's changes have produced (committed with each
   * change; a booking decision's rows are written after its commit, from the change
   * stream). Absent on items stored before it was kept.
   */
  ledgerCount?: number;
  /**
   * The last administrative change (creation, new total, adjustment), stamped with the
   * item version it produced: the change stream publishes `InventoryAdjusted` from it when
   * that version is the row's, and never for a reserve's counter update.
   */
  adjustment?: ItemAdjustment;
}

export interface ItemAdjustment {
  delta: number;
  reason: string;
  version: number;
  at: string;
  causation: Causation;
}

/** A page of results and the opaque cursor of the next page, if any. */
export interface Page<T> {
  items: T[];
  cursor?: string;
}

/** The state of one booking: its record, if the saga has heard of it. */
export interface BookingState {
  reservation?: Reservation;
}

/**
 * Persistence of items and bookings. Every mutating method is one
 * conditional transaction. Implementations translate failed conditions into domain errors:
 * `InsufficientInventoryError` / `ItemNotFoundError` for stock, `StockConflictError` for an
 * admin change that would break the invariant, and `ConcurrentModificationError` when the
 * reservation, the payment or the item version changed since it was read.
 */
export interface InventoryStore {
  getItem(itemId: string): Promise<StoredItem | undefined>;
  getItems(itemIds: readonly string[]): Promise<Map<string, StoredItem>>;
  listItems(page: { limit: number; cursor?: string }): Promise<Page<StoredItem>>;
  getBooking(bookingId: string): Promise<BookingState>;
  writeReservation(write: ReservationWrite): Promise<void>;
  /** Creates an item (its `adjustment` says what the stream publishes); refused if it exists. */
  createItem(item: StoredItem, reason: string): Promise<void>;
  changeStock(change: StockChange): Promise<void>;
  /** Reservations still RESERVED whose `expiresAt <= now`, oldest shards first, at most `limit`. */
  findDueReservations(now: string, limit: number): Promise<Reservation[]>;
  /**
   * The due holds (`expiresAt <= now`) on these items, read per item, at most `limit` per
   * item: the cost follows what is due on these items only. A hold is an index entry
   * written after its booking's commit (from the change stream): it may lag its booking,
   * or outlive it (see `dropHold`).
   */
  findDueHolds(itemIds: readonly string[], now: string, limit: number): Promise<DueHold[]>;
  /**
   * Removes a hold entry its booking no longer has (the booking moved on and the stream's
   * removal has not landed yet, or a stream batch redriven late wrote it again).
   */
  dropHold(hold: DueHold): Promise<void>;
  /** The first `limit` waitlist entries of an item, in serving order (tier, then arrival). */
  waitlistHead(itemId: string, limit: number): Promise<WaitlistEntry[]>;
  /** A waitlisted booking's 1-based place on each item it was short of (counted when asked). */
  waitlistPositions(record: Reservation): Promise<WaitlistPosition[]>;
}

/** One line of a RESERVED booking whose hold entry on its item is due. */
export interface DueHold {
  bookingId: string;
  itemId: string;
  expiresAt: string;
}

/** One line of a waitlisted booking, as its item's waitlist holds it. */
export interface WaitlistEntry {
  bookingId: string;
  itemId: string;
  quantity: number;
  since: string;
}

/** Puts events on the bus. Throws if any entry could not be published. */
export interface EventPublisher {
  publish(events: readonly OutgoingEvent[]): Promise<void>;
}

export interface Clock {
  now(): Date;
}

/** The part of a logger the use cases need (Powertools Logger fits). */
export interface LogPort {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown> | Error): void;
}

/**
 * The ports a use case runs against. Handlers wire real adapters; tests pass fakes. No
 * use case publishes: a decision's events are committed with it and the table's change
 * stream publishes them (functions/publish-changes.ts).
 */
export interface Dependencies {
  store: InventoryStore;
  clock: Clock;
  log?: LogPort;
}
