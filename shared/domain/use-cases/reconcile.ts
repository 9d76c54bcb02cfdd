import { ConcurrentModificationError } from '../errors.ts';
import type { Item, Reservation } from '../model.ts';
import type { StoredItem } from '../ports.ts';

/** Reserved and confirmed units of one item as some source of truth says. */
export interface Counters {
  reserved: number;
  confirmed: number;
}

/** What the reconciler reads and writes; the DynamoDB adapter is `DynamoDbAuditStore`. */
export interface AuditStore {
  /** Every item and every reservation (a full read of the table, paginated). */
  scan(): Promise<{ items: StoredItem[]; reservations: Reservation[] }>;
  /** Reserved/confirmed per the item's stock-movement ledger, read consistently. */
  ledgerCounters(itemId: string): Promise<Counters>;
  getItem(itemId: string): Promise<StoredItem | undefined>;
  /** Sets the counters if the item is still at `version`; ConcurrentModificationError otherwise. */
  repairItem(item: StoredItem, counters: Counters & { available: number }, now: string): Promise<void>;
}

export interface Drift {
  itemId: string;
  actual: Counters & { available: number; total: number };
  expected: Counters;
  /** What the reconciler did about it. */
  action: 'reported' | 'repaired' | 'skipped-ledger-disagrees' | 'skipped-negative-available';
}

export interface ReconcileResult {
  itemsChecked: number;
  reservationsChecked: number;
  drifts: Drift[];
}

/** Sums RESERVED and CONFIRMED reservation lines per item. */
export function expectedFromReservations(reservations: readonly Reservation[]): Map<string, Counters> {
  const expected = new Map<string, Counters>();
  for (const r of reservations) {
    if (r.status !== 'RESERVED' && r.status !== 'CONFIRMED') continue;
    for (const line of r.items) {
      const counters = expected.get(line.itemId) ?? { reserved: 0, confirmed: 0 };
      if (r.status === 'RESERVED') counters.reserved += line.quantity;
      else counters.confirmed += line.quantity;
      expected.set(line.itemId, counters);
    }
  }
  return expected;
}

const sameCounters = (a: Counters, b: Counters) => a.reserved === b.reserved && a.confirmed === b.confirmed;
const invariantHolds = (i: Item) =>
  i.totalQuantity === i.availableQuantity + i.reservedQuantity + i.confirmedQuantity;

/**
 * Finds items whose counters disagree with the reservations and, with `repair`, fixes them.
 *
 * 1. Scan items and reservations; expected reserved/confirmed per item = sums over
 *    RESERVED/CONFIRMED reservation lines. An item drifts if its counters differ or its
 *    invariant is broken.
 * 2. Repair each drifting item without racing live traffic: read the item (version v),
 *    recompute from its ledger (written in the same transactions as the counters), and
 *    write conditioned on version v. Any reservation change since bumps the version, so
 *    the write fails and the item is read again. If the ledger disagrees with the scanned
 *    reservations (traffic since the scan, or a damaged ledger), or available would go
 *    negative, the item is only reported; the next run looks again.
 */
export async function reconcile(
  input: { repair: boolean; now: string; maxRepairAttempts?: number },
  store: AuditStore,
): Promise<ReconcileResult> {
  const { items, reservations } = await store.scan();
  const expected = expectedFromReservations(reservations);
  const drifts: Drift[] = [];
  for (const item of items) {
    const want = expected.get(item.itemId) ?? { reserved: 0, confirmed: 0 };
    const have = { reserved: item.reservedQuantity, confirmed: item.confirmedQuantity };
    if (sameCounters(want, have) && invariantHolds(item)) continue;
    const drift: Drift = {
      itemId: item.itemId,
      actual: { ...have, available: item.availableQuantity, total: item.totalQuantity },
      expected: want,
      action: 'reported',
    };
    if (input.repair) drift.action = await repairOne(item.itemId, want, input, store);
    drifts.push(drift);
  }
  return { itemsChecked: items.length, reservationsChecked: reservations.length, drifts };
}

async function repairOne(
  itemId: string,
  fromReservations: Counters,
  input: { now: string; maxRepairAttempts?: number },
  store: AuditStore,
): Promise<Drift['action']> {
  for (let attempt = 1; attempt <= (input.maxRepairAttempts ?? 5); attempt++) {
    const item = await store.getItem(itemId);
    if (!item) return 'reported';
    const ledger = await store.ledgerCounters(itemId);
    // Traffic since the scan, or a ledger that is itself off: report, and let the next run look again.
    if (!sameCounters(ledger, fromReservations)) return 'skipped-ledger-disagrees';
    const available = item.totalQuantity - ledger.reserved - ledger.confirmed;
    if (available < 0) return 'skipped-negative-available';
    try {
      await store.repairItem(item, { ...ledger, available }, input.now);
      return 'repaired';
    } catch (error) {
      if (!(error instanceof ConcurrentModificationError)) throw error;
    }
  }
  throw new ConcurrentModificationError(`Item ${itemId} kept changing during repair`);
}
