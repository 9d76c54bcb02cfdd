import rfdc from 'rfdc';
import type { ChangeRecord } from '../../shared/adapters/change-stream.ts';
import {
  ConcurrentModificationError,
  InsufficientInventoryError,
  ItemNotFoundError,
  type Shortfall,
  StockConflictError,
} from '../../shared/domain/errors.ts';
import { WAITLIST_PRIORITIES } from '../../shared/domain/limits.ts';
import type {
  QuantityBucket,
  Reservation,
  ReservationLine,
  WaitlistPosition,
} from '../../shared/domain/model.ts';
import {
  type BookingState,
  type DueHold,
  type InventoryStore,
  type Page,
  type ReservationWrite,
  type StockChange,
  type StoredItem,
  type WaitlistEntry,
  waitlistChange,
} from '../../shared/domain/ports.ts';

/**
 * Copies of what the store hands out and keeps, so callers never share its records. rfdc
 * copies a reservation record in 1.1 µs, structuredClone in 9 µs; that was a fifth of the
 * model test's time.
 */
const copy = rfdc();

const COUNTER = {
  available: 'availableQuantity',
  reserved: 'reservedQuantity',
  confirmed: 'confirmedQuantity',
} as const satisfies Record<Exclude<QuantityBucket, 'outside'>, keyof StoredItem>;

/** What a fault hook may do to one write: nothing, or fail it before (or after) it applies. */
export type WriteFault = { when: 'before' | 'after'; error: Error } | undefined;

/**
 * An in-memory InventoryStore with the DynamoDB adapter's semantics: every write is
 * all-or-nothing and conditioned exactly as the transaction is (record absent or at the
 * version read; each line's source counter high enough; checked lines available), and a
 * failed condition becomes the same domain error. Fast enough to run the saga's use cases
 * through every interleaving of a booking's events.
 */
export class MemoryInventoryStore implements InventoryStore {
  readonly items = new Map<string, StoredItem>();
  readonly bookings = new Map<string, Reservation>();
  /** Hold rows: `${itemId}|${expiresAt}|${bookingId}`. */
  readonly holds = new Set<string>();
  /** Waitlist entries by item, each list kept in serving order (tier, arrival, booking). */
  readonly waitlists = new Map<string, Array<WaitlistEntry & { key: string }>>();
  readonly ledger: Array<{
    itemId: string;
    type: string;
    quantity: number;
    from: QuantityBucket;
    to: QuantityBucket;
  }> = [];
  /** The change stream: the row before and after every committed write, in order. */
  readonly changes: ChangeRecord[] = [];
  #read = 0;
  /** Called before every reservation write; may inject a fault (conflict, throttle, crash after commit). */
  fault?: (write: ReservationWrite) => WriteFault;
  writes = 0;

  seed(itemId: string, total: number, now = '2026-01-01T00:00:00.000Z'): void {
    this.items.set(itemId, {
      itemId,
      name: itemId,
      totalQuantity: total,
      availableQuantity: total,
      reservedQuantity: 0,
      confirmedQuantity: 0,
      waitlistedQuantity: 0,
      updatedAt: now,
      version: 1,
    });
  }

  async getItem(itemId: string): Promise<StoredItem | undefined> {
    const item = this.items.get(itemId);
    return item ? { ...item } : undefined;
  }

  async getItems(itemIds: readonly string[]): Promise<Map<string, StoredItem>> {
    const found = new Map<string, StoredItem>();
    for (const id of itemIds) {
      const item = this.items.get(id);
      if (item) found.set(id, { ...item });
    }
    return found;
  }

  async listItems(page: { limit: number; cursor?: string }): Promise<Page<StoredItem>> {
    const ids = [...this.items.keys()].sort().filter((id) => !page.cursor || id > page.cursor);
    const items = ids.slice(0, page.limit).flatMap((id) => {
      const item = this.items.get(id);
      return item ? [{ ...item }] : [];
    });
    const last = items.at(-1);
    return { items, ...(ids.length > page.limit && last ? { cursor: last.itemId } : {}) };
  }

  async getBooking(bookingId: string): Promise<BookingState> {
    const record = this.bookings.get(bookingId);
    return record ? { reservation: copy(record) } : {};
  }

  async writeReservation(write: ReservationWrite): Promise<void> {
    const fault = this.fault?.(write);
    if (fault?.when === 'before') throw fault.error;
    const { next, expected } = write;
    const current = this.bookings.get(next.bookingId);
    const recordOk =
      expected.kind === 'absent'
        ? current === undefined
        : current !== undefined && current.status === expected.status && current.version === expected.version;
    if (!recordOk) throw new ConcurrentModificationError('The booking changed while it was being updated');
    const missing: string[] = [];
    const short: Array<{ line: ReservationLine; from: QuantityBucket; item: StoredItem; free: number }> = [];
    const queue = waitlistChange(write);
    // A new reserve may take only what the waitlist does not ask for; a served one takes what is available.
    const freeOf = (item: StoredItem, from: QuantityBucket) =>
      from === 'available' && queue !== 'leave'
        ? item.availableQuantity - (item.waitlistedQuantity ?? 0)
        : from === 'outside'
          ? Number.POSITIVE_INFINITY
          : item[COUNTER[from]];
    const lines = [
      ...write.movements.map((m) => ({ line: m, from: m.from })),
      ...(write.checks ?? []).map((line) => ({ line, from: 'available' as const })),
      ...(queue ? next.items.map((line) => ({ line, from: 'outside' as const })) : []),
    ];
    for (const { line, from } of lines) {
      const item = this.items.get(line.itemId);
      if (!item) missing.push(line.itemId);
      else if (freeOf(item, from) < line.quantity)
        short.push({
          line,
          from,
          item,
          free: Math.max(0, Math.min(item.availableQuantity, freeOf(item, from))),
        });
    }
    if (missing.length > 0) throw new ItemNotFoundError([...new Set(missing)]);
    if (short.length > 0) {
      if (short.every((s) => s.from === 'available')) {
        const shortfalls: Shortfall[] = short.map(({ line, free }) => ({
          itemId: line.itemId,
          requested: line.quantity,
          available: free,
        }));
        throw new InsufficientInventoryError(
          shortfalls,
          new Map(short.map(({ line, item }) => [line.itemId, item.reservedQuantity])),
        );
      }
      throw new Error(
        `Stock counters disagree with reservations for ${short.map((s) => s.line.itemId).join(', ')}`,
      );
    }
    // Every condition holds: apply all of it.
    const touched = new Map<string, Record<string, unknown>>();
    const touch = (itemId: string) => {
      const item = this.items.get(itemId) as StoredItem;
      if (!touched.has(itemId)) touched.set(itemId, { entity: 'ITEM', ...item });
      return item;
    };
    const moved = new Set(write.movements.map((m) => m.itemId));
    if (queue && next.waitlist) {
      const ticket = next.waitlist;
      for (const line of next.items) {
        const key = `${WAITLIST_PRIORITIES.indexOf(ticket.priority)}#${ticket.since}#${next.bookingId}`;
        const list = this.waitlists.get(line.itemId) ?? [];
        const item = touch(line.itemId);
        if (queue === 'enter') {
          list.push({
            key,
            bookingId: next.bookingId,
            itemId: line.itemId,
            quantity: line.quantity,
            since: ticket.since,
          });
          list.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
          item.waitlistedQuantity = (item.waitlistedQuantity ?? 0) + line.quantity;
        } else {
          list.splice(
            list.findIndex((e) => e.key === key),
            1,
          );
          // Served lines leave what the waitlist asks for with their move; unserved ones here.
          item.waitlistedQuantity = (item.waitlistedQuantity ?? 0) - line.quantity;
          if (!moved.has(line.itemId)) item.version++;
        }
        if (queue === 'enter') item.version++;
        item.updatedAt = write.now;
        this.waitlists.set(line.itemId, list);
      }
    }
    for (const m of write.movements) {
      touch(m.itemId);
      const item = this.items.get(m.itemId) as StoredItem;
      if (m.from !== 'outside') item[COUNTER[m.from]] -= m.quantity;
      if (m.to !== 'outside') item[COUNTER[m.to]] += m.quantity;
      item.version++;
      item.updatedAt = write.now;
      this.ledger.push({
        itemId: m.itemId,
        type: write.movementType,
        quantity: m.quantity,
        from: m.from,
        to: m.to,
      });
      if (m.to === 'reserved') this.holds.add(`${m.itemId}|${next.expiresAt}|${next.bookingId}`);
      else if (m.from === 'reserved' && expected.kind === 'state') {
        this.holds.delete(`${m.itemId}|${expected.expiresAt}|${next.bookingId}`);
      }
    }
    this.#change(current && { entity: 'RESERVATION', ...current }, { entity: 'RESERVATION', ...next });
    // The item rows' changes, as the table's stream carries them (the waitlist server reads them).
    for (const [itemId, before] of touched) {
      this.#change(before, { entity: 'ITEM', ...(this.items.get(itemId) as StoredItem) });
    }
    this.bookings.set(next.bookingId, copy(next));
    this.writes++;
    if (fault?.when === 'after') throw fault.error;
  }

  /** The changes committed since the last call (what the stream delivers). */
  async drain(): Promise<ChangeRecord[]> {
    const fresh = this.changes.slice(this.#read);
    this.#read = this.changes.length;
    return fresh;
  }

  #change(oldImage: Record<string, unknown> | undefined, newImage: Record<string, unknown>): void {
    this.changes.push({
      sequenceNumber: String(this.changes.length + 1).padStart(21, '0'),
      ...(oldImage ? { oldImage: copy(oldImage) } : {}),
      newImage: copy(newImage),
    });
  }

  async createItem(item: StoredItem, _reason: string): Promise<void> {
    if (this.items.has(item.itemId)) throw new ConcurrentModificationError(`Item ${item.itemId} exists`);
    this.items.set(item.itemId, { ...item });
    this.#change(undefined, { entity: 'ITEM', ...item });
  }

  async changeStock(change: StockChange): Promise<void> {
    const item = this.items.get(change.itemId);
    if (!item) throw new ItemNotFoundError([change.itemId]);
    if (item.version !== change.expectedVersion) throw new ConcurrentModificationError('Item changed');
    if (item.availableQuantity + change.delta < 0) throw new StockConflictError('Not enough available units');
    const before = { entity: 'ITEM', ...item };
    item.totalQuantity += change.delta;
    item.availableQuantity += change.delta;
    item.version++;
    if (change.name !== undefined) item.name = change.name;
    item.adjustment = change.adjustment;
    this.#change(before, { entity: 'ITEM', ...item });
  }

  async waitlistHead(itemId: string, limit: number): Promise<WaitlistEntry[]> {
    return (this.waitlists.get(itemId) ?? [])
      .slice(0, limit)
      .map(({ key: _key, ...entry }) => ({ ...entry }));
  }

  async waitlistPositions(record: Reservation): Promise<WaitlistPosition[]> {
    if (record.status !== 'WAITLISTED' || !record.waitlist) return [];
    return record.waitlist.shortItemIds.map((itemId) => ({
      itemId,
      position: (this.waitlists.get(itemId) ?? []).findIndex((e) => e.bookingId === record.bookingId) + 1,
    }));
  }

  async findDueReservations(now: string, limit: number): Promise<Reservation[]> {
    return [...this.bookings.values()]
      .filter((r) => (r.status === 'RESERVED' || r.status === 'WAITLISTED') && r.expiresAt <= now)
      .sort((a, b) => (a.expiresAt < b.expiresAt ? -1 : 1))
      .slice(0, limit)
      .map((r) => copy(r));
  }

  async findDueHolds(itemIds: readonly string[], now: string, limit: number): Promise<DueHold[]> {
    const wanted = new Set(itemIds);
    const perItem = new Map<string, number>();
    const due: DueHold[] = [];
    for (const key of [...this.holds].sort()) {
      const [itemId = '', expiresAt = '', bookingId = ''] = key.split('|');
      if (!wanted.has(itemId) || expiresAt > now) continue;
      const n = perItem.get(itemId) ?? 0;
      if (n >= limit) continue;
      perItem.set(itemId, n + 1);
      due.push({ bookingId, itemId, expiresAt });
    }
    return due;
  }

  async dropHold(hold: DueHold): Promise<void> {
    this.holds.delete(`${hold.itemId}|${hold.expiresAt}|${hold.bookingId}`);
  }
}
