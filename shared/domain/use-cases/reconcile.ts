import { ConcurrentModificationError } from '../errors.ts';
import type { QuantityBucket } from '../model.ts';
import type { StoredItem } from '../ports.ts';
import { CHECKPOINT_SETTLE_SECONDS } from '../retention.ts';

/** Reserved and confirmed units of one item as some source of truth says. */
export interface Counters {
  reserved: number;
  confirmed: number;
}

/** The three buckets of an item's stock (total is their sum). */
export interface Buckets extends Counters {
  available: number;
}

/** One stock-ledger row: `quantity` units moved between two buckets, at ledger `position`. */
export interface LedgerMove {
  /** The row's sort key: ledger rows sort by the time their writer decided. */
  position: string;
  at: string;
  quantity: number;
  from: QuantityBucket;
  to: QuantityBucket;
}

/**
 * What the reconciler remembers per item: the reserved and confirmed units the ledger adds
 * up to as of `position` (every ledger row up to and including it), and the item as it last
 * found it agreeing with its ledger, so an item nobody touched since costs no ledger read.
 * (Reserved and confirmed only: items seeded directly, as the local cloud does, have no
 * ledger row for their initial stock; available follows from the invariant.)
 */
export interface Checkpoint {
  itemId: string;
  /** Sort key of the last ledger row summarised; '' before the first audit. */
  position: string;
  counters: Counters;
  /**
   * How many ledger rows the summary covers (compared with the item's `ledgerCount`).
   * Absent on checkpoints written before it was kept: such an item is read from the start.
   */
  count?: number;
  verified?: Buckets & { version: number; total: number };
  /** Bumped on every write; writes are conditioned on it (two audits never interleave). */
  revision: number;
  at: string;
}

/** What the reconciler reads and writes; the DynamoDB adapter is `DynamoDbAuditStore`. */
export interface AuditStore {
  /** Ids of every item, a page at a time (the items index). */
  listItemIds(cursor?: string): Promise<{ itemIds: string[]; cursor?: string }>;
  /** Items and their checkpoints, read consistently. */
  getItemsWithCheckpoints(
    itemIds: readonly string[],
  ): Promise<Map<string, { item?: StoredItem; checkpoint?: Checkpoint }>>;
  /** One item, read consistently. */
  getItem(itemId: string): Promise<StoredItem | undefined>;
  /** The item's ledger rows after `position` ('' = all), in key order, read consistently. */
  ledgerAfter(itemId: string, position: string): Promise<LedgerMove[]>;
  /** Writes the checkpoint if it is still at `previousRevision` (absent when undefined). */
  saveCheckpoint(checkpoint: Checkpoint, previousRevision: number | undefined): Promise<void>;
  /** Sets the counters if the item is still at its version; ConcurrentModificationError otherwise. */
  repairItem(item: StoredItem, buckets: Buckets, now: string): Promise<void>;
}

export interface Drift {
  itemId: string;
  actual: Buckets & { total: number };
  /** What the ledger adds up to, once it holds every row the item's changes owe it. */
  expected: Counters;
  /** What the reconciler did about it. */
  action: 'reported' | 'repaired' | 'skipped-negative-ledger' | 'skipped-negative-available';
}

export interface ReconcileResult {
  itemsChecked: number;
  /** Items whose ledger was read because they changed since their checkpoint. */
  itemsRead: number;
  ledgerRowsRead: number;
  /** Items that disagreed on a first read but agreed once read consistently again (traffic). */
  suspectsCleared: number;
  /** Items that kept changing through every confirmation attempt: neither drift nor clean; next run. */
  unconfirmed: string[];
  /**
   * Items whose ledger does not hold every row their changes owe it yet (a booking
   * decision's rows are written from the change stream after its commit): not compared,
   * their checkpoint not moved; next run. An item that stays here while the stream is not
   * behind has lost a ledger row (runbook: reconciler).
   */
  lagging: string[];
  /** Confirmed drift only. */
  drifts: Drift[];
}

const ZERO: Counters = { reserved: 0, confirmed: 0 };

/** Adds ledger moves to reserved/confirmed counters. */
export function applyMoves(start: Counters, moves: readonly LedgerMove[]): Counters {
  const c = { ...start };
  for (const m of moves) {
    if (m.from === 'reserved' || m.from === 'confirmed') c[m.from] -= m.quantity;
    if (m.to === 'reserved' || m.to === 'confirmed') c[m.to] += m.quantity;
  }
  return c;
}

const bucketsOf = (i: StoredItem): Buckets & { total: number } => ({
  available: i.availableQuantity,
  reserved: i.reservedQuantity,
  confirmed: i.confirmedQuantity,
  total: i.totalQuantity,
});
/**
 * The ledger holds every row the item's changes owe it (`rows` summarised and read). Items
 * stored before the count was kept have none and are taken as complete.
 */
const complete = (item: StoredItem, rows: number) =>
  item.ledgerCount === undefined || rows >= item.ledgerCount;
/** Counters as the ledger says, and the invariant total = available + reserved + confirmed. */
const agrees = (item: StoredItem, want: Counters) =>
  item.reservedQuantity === want.reserved &&
  item.confirmedQuantity === want.confirmed &&
  item.totalQuantity === item.availableQuantity + item.reservedQuantity + item.confirmedQuantity;
const unchangedSince = (item: StoredItem, verified: Checkpoint['verified']) =>
  verified !== undefined &&
  item.version === verified.version &&
  item.totalQuantity === verified.total &&
  item.availableQuantity === verified.available &&
  agrees(item, verified);

/**
 * Finds items whose stock counters disagree with their ledger and, with `repair`, sets them
 * to what the ledger says. An audit costs what changed since the last one, not the table's
 * history, and reports drift only when it is real under any live traffic.
 *
 * Drift: reserved or confirmed differ from what the ledger adds up to, or
 * total ≠ available + reserved + confirmed.
 *
 * The ledger of a booking decision is written from the table's change stream after the
 * decision commits; the item counts, in the same commit, the ledger rows it is owed
 * (`ledgerCount`). A ledger is compared with its item only when it holds that many rows.
 *
 * 1. List the item ids; read every item and its checkpoint consistently (batches of 50).
 * 2. An item exactly as its checkpoint last verified it (same version, same counters) is
 *    clean: every change of its counters bumps its version.
 * 3. Otherwise read the ledger rows after the checkpoint's position: expected = checkpoint
 *    counters + those moves. Complete and agreeing with the item: clean.
 * 4. A disagreement, or a ledger short of rows, is only a suspect: traffic may have
 *    committed between the item read and the ledger read, and the stream may not have
 *    written a committed decision's rows yet. Confirm it: read the item, the ledger delta,
 *    the item again; only when the version did not move between the two item reads is the
 *    pair consistent. A consistent pair whose ledger is still short is lagging (not
 *    compared; next run); a complete one that disagrees is drift. An item that keeps
 *    changing through every attempt is reported as unconfirmed and looked at again next run.
 *    A lagging item untouched for the settle window is read once more from its first
 *    ledger row, in case its checkpoint passed a row that was written late.
 * 5. Unless lagging, advance the checkpoint to the last ledger row older than
 *    `CHECKPOINT_SETTLE_SECONDS` (a row's key is its writer's decision time, so a
 *    younger-keyed row may still be written), recording the item as verified when it agreed.
 * 6. With `repair`, set a confirmed drifting item to the ledger's counters (available =
 *    total − reserved − confirmed), conditioned on the version confirmed; a concurrent
 *    change makes the write fail and the item is confirmed again. A ledger that adds up
 *    to a negative counter, or a repair that would make available negative, is only reported.
 */
export async function reconcile(
  input: { repair: boolean; now: string; confirmAttempts?: number },
  store: AuditStore,
): Promise<ReconcileResult> {
  const result: ReconcileResult = {
    itemsChecked: 0,
    itemsRead: 0,
    ledgerRowsRead: 0,
    suspectsCleared: 0,
    unconfirmed: [],
    lagging: [],
    drifts: [],
  };
  const settledBefore = new Date(Date.parse(input.now) - CHECKPOINT_SETTLE_SECONDS * 1000).toISOString();
  let cursor: string | undefined;
  do {
    const page = await store.listItemIds(cursor);
    cursor = page.cursor;
    for (let i = 0; i < page.itemIds.length; i += 50) {
      const found = await store.getItemsWithCheckpoints(page.itemIds.slice(i, i + 50));
      for (const [itemId, { item, checkpoint }] of found) {
        if (!item) continue;
        result.itemsChecked++;
        await auditItem(itemId, item, checkpoint, { ...input, settledBefore }, store, result);
      }
    }
  } while (cursor);
  return result;
}

async function auditItem(
  itemId: string,
  first: StoredItem,
  checkpoint: Checkpoint | undefined,
  input: { repair: boolean; now: string; settledBefore: string; confirmAttempts?: number },
  store: AuditStore,
  result: ReconcileResult,
): Promise<void> {
  if (checkpoint && unchangedSince(first, checkpoint.verified)) return;
  // A checkpoint that does not say how many rows it covers cannot be checked for completeness.
  let base: Base =
    checkpoint?.count === undefined
      ? FROM_START
      : { position: checkpoint.position, counters: checkpoint.counters, count: checkpoint.count };
  result.itemsRead++;
  let audit = await readOnce(itemId, first, base, store, result);
  if (!audit.complete || !agrees(audit.item, audit.expected)) {
    // A suspect: confirm with a bracketed consistent read before it counts.
    let confirmed = await confirm(itemId, base, input.confirmAttempts ?? 5, store, result);
    if (
      confirmed !== 'gone' &&
      confirmed !== 'busy' &&
      !confirmed.complete &&
      base !== FROM_START &&
      confirmed.item.updatedAt < input.settledBefore
    ) {
      // Untouched for the settle window and still short: the checkpoint may have passed a
      // row the stream wrote late. Count again from the first row.
      base = FROM_START;
      confirmed = await confirm(itemId, base, input.confirmAttempts ?? 5, store, result);
    }
    if (confirmed === 'gone') return;
    if (confirmed === 'busy') {
      result.unconfirmed.push(itemId);
      return;
    }
    if (!confirmed.complete) {
      result.lagging.push(itemId);
      return;
    }
    if (agrees(confirmed.item, confirmed.expected)) result.suspectsCleared++;
    audit = confirmed;
  }
  const { item, expected } = audit;
  const consistent = agrees(item, expected);
  let drift: Drift | undefined;
  if (!consistent) {
    drift = { itemId, actual: bucketsOf(item), expected, action: 'reported' };
    if (expected.reserved < 0 || expected.confirmed < 0) {
      drift.action = 'skipped-negative-ledger';
    } else if (item.totalQuantity - expected.reserved - expected.confirmed < 0) {
      drift.action = 'skipped-negative-available';
    } else if (input.repair) {
      drift.action = await repair(itemId, item, expected, base, input, store, result);
    }
    result.drifts.push(drift);
  }
  await advance(itemId, checkpoint, base, audit.moves, input, consistent ? item : undefined, store);
}

/** Where an audit of one item starts: a checkpoint's summary, or the first ledger row. */
type Base = { position: string; counters: Counters; count: number };
const FROM_START: Base = { position: '', counters: ZERO, count: 0 };

interface Audit {
  item: StoredItem;
  moves: LedgerMove[];
  expected: Counters;
  /** The ledger holds every row the item (as read) is owed. */
  complete: boolean;
}

async function readOnce(
  itemId: string,
  item: StoredItem,
  base: Base,
  store: AuditStore,
  result: ReconcileResult,
): Promise<Audit> {
  const moves = await store.ledgerAfter(itemId, base.position);
  result.ledgerRowsRead += moves.length;
  return {
    item,
    moves,
    expected: applyMoves(base.counters, moves),
    complete: complete(item, base.count + moves.length),
  };
}

type Confirmed = Audit | 'gone' | 'busy';

/** Item, ledger delta, item again: a consistent pair only if the version did not move. */
async function confirm(
  itemId: string,
  base: Base,
  attempts: number,
  store: AuditStore,
  result: ReconcileResult,
): Promise<Confirmed> {
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const before = await store.getItem(itemId);
    if (!before) return 'gone';
    const audit = await readOnce(itemId, before, base, store, result);
    const after = await store.getItem(itemId);
    if (!after) return 'gone';
    if (after.version === before.version) return { ...audit, item: after };
  }
  return 'busy';
}

async function repair(
  itemId: string,
  confirmedItem: StoredItem,
  confirmedExpected: Counters,
  base: Base,
  input: { now: string; confirmAttempts?: number },
  store: AuditStore,
  result: ReconcileResult,
): Promise<Drift['action']> {
  let item = confirmedItem;
  let expected = confirmedExpected;
  for (let attempt = 1; attempt <= (input.confirmAttempts ?? 5); attempt++) {
    try {
      const available = item.totalQuantity - expected.reserved - expected.confirmed;
      await store.repairItem(item, { ...expected, available }, input.now);
      return 'repaired';
    } catch (error) {
      if (!(error instanceof ConcurrentModificationError)) throw error;
    }
    const again = await confirm(itemId, base, input.confirmAttempts ?? 5, store, result);
    if (again === 'gone' || again === 'busy' || !again.complete) return 'reported';
    ({ item, expected } = again);
    if (agrees(item, expected)) return 'repaired';
  }
  throw new ConcurrentModificationError(`Item ${itemId} kept changing during repair`);
}

/** Moves the checkpoint past the settled rows; records the item as verified when it agreed. */
async function advance(
  itemId: string,
  checkpoint: Checkpoint | undefined,
  base: Base,
  moves: readonly LedgerMove[],
  input: { now: string; settledBefore: string },
  verifiedItem: StoredItem | undefined,
  store: AuditStore,
): Promise<void> {
  const settled = moves.filter((m) => m.at < input.settledBefore);
  const position = settled.at(-1)?.position ?? base.position;
  const counters = applyMoves(base.counters, settled);
  const count = base.count + settled.length;
  const verified = verifiedItem ? { ...bucketsOf(verifiedItem), version: verifiedItem.version } : undefined;
  if (
    checkpoint &&
    position === checkpoint.position &&
    count === checkpoint.count &&
    JSON.stringify(verified) === JSON.stringify(checkpoint.verified)
  ) {
    return;
  }
  try {
    await store.saveCheckpoint(
      {
        itemId,
        position,
        counters,
        count,
        ...(verified ? { verified } : {}),
        revision: (checkpoint?.revision ?? 0) + 1,
        at: input.now,
      },
      checkpoint?.revision,
    );
  } catch (error) {
    // Another audit moved it meanwhile: its checkpoint is as good as ours.
    if (!(error instanceof ConcurrentModificationError)) throw error;
  }
}
