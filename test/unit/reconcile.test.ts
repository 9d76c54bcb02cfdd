import { describe, expect, it } from 'vitest';
import type { StoredItem } from '../../shared/domain/ports.ts';
import { CHECKPOINT_SETTLE_SECONDS } from '../../shared/domain/retention.ts';
import {
  type AuditStore,
  type Buckets,
  type Checkpoint,
  type LedgerMove,
  reconcile,
} from '../../shared/domain/use-cases/reconcile.ts';

const NOW = '2026-06-01T12:00:00.000Z';
const longAgo = '2026-06-01T10:00:00.000Z';
const justNow = '2026-06-01T11:59:00.000Z';

const move = (at: string, n: number, from: LedgerMove['from'], to: LedgerMove['to'], q = 1): LedgerMove => ({
  position: `MOVE#${at}#b${n}#1`,
  at,
  quantity: q,
  from,
  to,
});

const item = (
  reserved: number,
  confirmed: number,
  version: number,
  total = 10,
  extra: Partial<StoredItem> = {},
): StoredItem => ({
  itemId: 'I',
  name: 'I',
  totalQuantity: total,
  availableQuantity: total - reserved - confirmed,
  reservedQuantity: reserved,
  confirmedQuantity: confirmed,
  updatedAt: NOW,
  version,
  ...extra,
});

/**
 * One item in memory. `items` are what successive item reads return (the last one
 * repeats): that is how traffic committing between the reconciler's reads is simulated.
 */
class FakeAuditStore implements AuditStore {
  reads = 0;
  ledgerReads = 0;
  saved: Checkpoint[] = [];
  repaired: Buckets[] = [];
  constructor(
    private readonly items: StoredItem[],
    private readonly ledger: LedgerMove[],
    private checkpoint?: Checkpoint,
    /** Rows the change stream writes late: absent from the first `fromRead - 1` ledger reads. */
    private readonly late: { move: LedgerMove; fromRead: number }[] = [],
  ) {}
  #next(): StoredItem {
    const found = this.items[Math.min(this.reads, this.items.length - 1)] as StoredItem;
    this.reads++;
    return found;
  }
  async listItemIds() {
    return { itemIds: ['I'] };
  }
  async getItemsWithCheckpoints() {
    return new Map([
      ['I', { item: this.#next(), ...(this.checkpoint ? { checkpoint: this.checkpoint } : {}) }],
    ]);
  }
  async getItem() {
    return this.#next();
  }
  async ledgerAfter(_itemId: string, position: string) {
    this.ledgerReads++;
    const landed = this.late.filter((l) => this.ledgerReads >= l.fromRead).map((l) => l.move);
    return [...this.ledger, ...landed]
      .filter((m) => m.position > position)
      .sort((a, b) => (a.position < b.position ? -1 : 1));
  }
  async saveCheckpoint(checkpoint: Checkpoint) {
    this.saved.push(checkpoint);
    this.checkpoint = checkpoint;
  }
  async repairItem(_item: StoredItem, buckets: Buckets) {
    this.repaired.push(buckets);
  }
}

describe('reconcile (per-item checkpoints, confirmed drift only)', () => {
  it('does not count a disagreement caused by a reservation committed between its reads', async () => {
    // Prepare: the batch read sees the item before a reserve; the ledger already has its row
    const ledger = [move(longAgo, 1, 'available', 'reserved'), move(justNow, 2, 'available', 'reserved')];
    const store = new FakeAuditStore([item(1, 0, 2), item(2, 0, 3)], ledger);

    // Act
    const result = await reconcile({ repair: true, now: NOW }, store);

    // Assess: a suspect, cleared by the bracketed re-read; nothing repaired
    expect(result.drifts).toEqual([]);
    expect(result.suspectsCleared).toBe(1);
    expect(store.repaired).toEqual([]);
  });

  it('reports an item that keeps changing through every confirmation as unconfirmed, not as drift', async () => {
    const ledger = [move(longAgo, 1, 'available', 'reserved')];
    const moving = Array.from({ length: 20 }, (_, v) => item(5, 0, v + 1));
    const store = new FakeAuditStore(moving, ledger);

    const result = await reconcile({ repair: true, now: NOW, confirmAttempts: 3 }, store);

    expect(result.drifts).toEqual([]);
    expect(result.unconfirmed).toEqual(['I']);
    expect(store.repaired).toEqual([]);
  });

  it('confirms real drift with a stable version and repairs it from the ledger', async () => {
    const ledger = [
      move(longAgo, 1, 'available', 'reserved', 2),
      move(longAgo, 2, 'reserved', 'confirmed', 1),
    ];
    const store = new FakeAuditStore([item(7, 1, 4)], ledger);

    const result = await reconcile({ repair: true, now: NOW }, store);

    expect(result.drifts).toMatchObject([
      { itemId: 'I', expected: { reserved: 1, confirmed: 1 }, actual: { reserved: 7 }, action: 'repaired' },
    ]);
    expect(store.repaired).toEqual([{ reserved: 1, confirmed: 1, available: 8 }]);
  });

  it('passes only settled ledger rows with its checkpoint, and skips the ledger of an item unchanged since', async () => {
    const settled = move(
      new Date(Date.parse(NOW) - (CHECKPOINT_SETTLE_SECONDS + 1) * 1000).toISOString(),
      1,
      'available',
      'reserved',
    );
    const fresh = move(justNow, 2, 'available', 'reserved');
    const store = new FakeAuditStore([item(2, 0, 3)], [settled, fresh]);

    await reconcile({ repair: false, now: NOW }, store);
    expect(store.saved.at(-1)).toMatchObject({
      position: settled.position,
      counters: { reserved: 1, confirmed: 0 },
      verified: { version: 3, reserved: 2 },
    });

    const ledgerReads = store.ledgerReads;
    const again = await reconcile({ repair: false, now: NOW }, store);
    expect(again).toMatchObject({ itemsChecked: 1, itemsRead: 0, ledgerRowsRead: 0, drifts: [] });
    expect(store.ledgerReads).toBe(ledgerReads);
  });

  it('reports, without repairing, a ledger that adds up to a negative count', async () => {
    const store = new FakeAuditStore([item(0, 0, 1)], [move(longAgo, 1, 'reserved', 'available', 3)]);
    const result = await reconcile({ repair: true, now: NOW }, store);
    expect(result.drifts).toMatchObject([{ action: 'skipped-negative-ledger' }]);
    expect(store.repaired).toEqual([]);
  });
});

describe('reconcile: ledger rows written from the change stream after the commit', () => {
  const settledAt = (secondsAgo: number) =>
    new Date(Date.parse(NOW) - (CHECKPOINT_SETTLE_SECONDS + secondsAgo) * 1000).toISOString();

  it('does not compare, repair or pass an item whose ledger does not hold every row it is owed yet', async () => {
    // Prepare: two reserves committed (ledgerCount 2); the stream has written one row so far
    const ledger = [move(longAgo, 1, 'available', 'reserved')];
    const store = new FakeAuditStore([item(2, 0, 3, 10, { ledgerCount: 2 })], ledger);

    // Act
    const result = await reconcile({ repair: true, now: NOW }, store);

    // Assess: lagging, not drift; nothing repaired, no checkpoint moved
    expect(result.lagging).toEqual(['I']);
    expect(result.drifts).toEqual([]);
    expect(store.repaired).toEqual([]);
    expect(store.saved).toEqual([]);
  });

  it('compares the item once the late row has landed, within the same audit', async () => {
    const late = move(justNow, 2, 'available', 'reserved');
    const store = new FakeAuditStore(
      [item(2, 0, 3, 10, { ledgerCount: 2 })],
      [move(longAgo, 1, 'available', 'reserved')],
      undefined,
      [{ move: late, fromRead: 2 }],
    );

    const result = await reconcile({ repair: true, now: NOW }, store);

    expect(result).toMatchObject({ lagging: [], drifts: [], suspectsCleared: 1 });
  });

  it('still finds drift when the ledger is complete: counters moved without a decision', async () => {
    const ledger = [move(longAgo, 1, 'available', 'reserved')];
    const store = new FakeAuditStore([item(4, 0, 5, 10, { ledgerCount: 1 })], ledger);

    const result = await reconcile({ repair: true, now: NOW }, store);

    expect(result.drifts).toMatchObject([
      { expected: { reserved: 1 }, actual: { reserved: 4 }, action: 'repaired' },
    ]);
  });

  it('counts the rows its checkpoint covers, and re-reads from the first row an idle item whose checkpoint passed a late row', async () => {
    // Prepare: a checkpoint at row b3 covering 2 rows, but b2 (an older key) landed after it was written
    const b1 = move(settledAt(300), 1, 'available', 'reserved');
    const b2 = move(settledAt(200), 2, 'available', 'reserved');
    const b3 = move(settledAt(100), 3, 'available', 'reserved');
    const checkpoint: Checkpoint = {
      itemId: 'I',
      position: b3.position,
      counters: { reserved: 2, confirmed: 0 },
      count: 2,
      revision: 1,
      at: NOW,
    };
    const idle = item(3, 0, 4, 10, { ledgerCount: 3, updatedAt: settledAt(100) });
    const store = new FakeAuditStore([idle], [b1, b2, b3], checkpoint);

    // Act
    const result = await reconcile({ repair: true, now: NOW }, store);

    // Assess: no drift; the checkpoint is rebuilt over all three rows
    expect(result).toMatchObject({ lagging: [], drifts: [] });
    expect(store.saved.at(-1)).toMatchObject({
      position: b3.position,
      count: 3,
      counters: { reserved: 3, confirmed: 0 },
    });
  });
});
