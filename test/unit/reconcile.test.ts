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

const item = (reserved: number, confirmed: number, version: number, total = 10): StoredItem => ({
  itemId: 'I',
  name: 'I',
  totalQuantity: total,
  availableQuantity: total - reserved - confirmed,
  reservedQuantity: reserved,
  confirmedQuantity: confirmed,
  updatedAt: NOW,
  version,
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
    return this.ledger.filter((m) => m.position > position);
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
