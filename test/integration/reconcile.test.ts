import { randomUUID } from 'node:crypto';
import { BatchWriteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointKey, DynamoDbAuditStore } from '../../shared/adapters/audit-store.ts';
import { itemKey } from '../../shared/adapters/dynamodb-store.ts';
import type { Clock } from '../../shared/domain/ports.ts';
import { CHECKPOINT_SETTLE_SECONDS } from '../../shared/domain/retention.ts';
import {
  confirmBooking,
  getItem,
  reconcile,
  releaseBooking,
  reserveBooking,
} from '../../shared/domain/use-cases/index.ts';
import {
  createTestTables,
  invariantHolds,
  ledgerOf,
  scanAll,
  seedItem,
  type TestTables,
} from '../support/dynamo.ts';
import { deps } from '../support/fakes.ts';
import { countRequests } from '../support/request-counter.ts';

let t: TestTables;
let audit: DynamoDbAuditStore;

beforeAll(async () => {
  t = await createTestTables('reconcile');
  audit = new DynamoDbAuditStore({ client: t.doc, tableName: t.tableName });
});
afterAll(async () => {
  await t.drop();
});

const corrupt = (itemId: string, expression: string, values: Record<string, number>) =>
  t.doc.send(
    new UpdateCommand({
      TableName: t.tableName,
      Key: itemKey(itemId),
      UpdateExpression: expression,
      ExpressionAttributeValues: values,
    }),
  );

describe('reconciler', () => {
  it('finds exactly the corrupted items and repairs exactly those', async () => {
    // Prepare: real traffic through the use cases on three items (the ledger rows written
    // from the table's stream, as the change-stream function does)
    const d = deps(t.store);
    for (const itemId of ['RC-A', 'RC-B', 'RC-C']) await seedItem(t.doc, t.tableName, itemId, 20);
    for (let i = 0; i < 3; i++) {
      const bookingId = randomUUID();
      await reserveBooking(
        {
          bookingId,
          items: [
            { itemId: 'RC-A', quantity: 2 },
            { itemId: 'RC-B', quantity: 1 },
            { itemId: 'RC-C', quantity: 3 },
          ],
          correlationId: 'c',
        },
        d,
      );
      if (i === 0) await confirmBooking({ bookingId, correlationId: 'c' }, d);
    }
    // A: reserved bumped by 5 (and available kept, so the invariant breaks too)
    await corrupt('RC-A', 'SET reservedQuantity = reservedQuantity + :n', { ':n': 5 });
    // B: 1 unit moved from confirmed to available (invariant holds, counters wrong)
    await corrupt(
      'RC-B',
      'SET confirmedQuantity = confirmedQuantity - :n, availableQuantity = availableQuantity + :n',
      {
        ':n': 1,
      },
    );
    const untouchedBefore = await t.store.getItem('RC-C');

    // Act: report only
    const report = await reconcile({ repair: false, now: new Date().toISOString() }, audit);

    // Assess
    expect(report.lagging).toEqual([]);
    expect(report.drifts.map((x) => x.itemId).sort()).toEqual(['RC-A', 'RC-B']);
    const a = report.drifts.find((x) => x.itemId === 'RC-A');
    expect(a).toMatchObject({
      expected: { reserved: 4, confirmed: 2 },
      actual: { reserved: 9, confirmed: 2 },
      action: 'reported',
    });
    const b = report.drifts.find((x) => x.itemId === 'RC-B');
    expect(b).toMatchObject({
      expected: { reserved: 2, confirmed: 1 },
      actual: { reserved: 2, confirmed: 0 },
    });

    // Act: repair
    const repaired = await reconcile({ repair: true, now: new Date().toISOString() }, audit);
    expect(repaired.drifts.map((x) => [x.itemId, x.action]).sort()).toEqual([
      ['RC-A', 'repaired'],
      ['RC-B', 'repaired'],
    ]);
    expect(await getItem('RC-A', d)).toMatchObject({
      totalQuantity: 20,
      reservedQuantity: 4,
      confirmedQuantity: 2,
      availableQuantity: 14,
    });
    expect(await getItem('RC-B', d)).toMatchObject({
      totalQuantity: 20,
      reservedQuantity: 2,
      confirmedQuantity: 1,
      availableQuantity: 17,
    });
    for (const id of ['RC-A', 'RC-B', 'RC-C']) expect(invariantHolds(await getItem(id, d))).toBe(true);
    expect((await t.store.getItem('RC-C'))?.version).toBe(untouchedBefore?.version);
    expect((await reconcile({ repair: false, now: new Date().toISOString() }, audit)).drifts).toEqual([]);
  });

  it('a repair that races a reservation never loses the reservation', async () => {
    const d = deps(t.store);
    await seedItem(t.doc, t.tableName, 'RC-RACE', 50);
    await reserveBooking(
      { bookingId: randomUUID(), items: [{ itemId: 'RC-RACE', quantity: 1 }], correlationId: 'c' },
      d,
    );
    await corrupt('RC-RACE', 'SET reservedQuantity = reservedQuantity + :n', { ':n': 7 });
    // The repair reads item, ledger, then writes on the version; reserves run meanwhile.
    const racing = Array.from({ length: 10 }, () =>
      reserveBooking(
        { bookingId: randomUUID(), items: [{ itemId: 'RC-RACE', quantity: 1 }], correlationId: 'c' },
        d,
      ),
    );
    await Promise.all([
      reconcile({ repair: true, now: new Date().toISOString() }, audit).catch(() => undefined),
      ...racing,
    ]);
    // Whatever the repair managed, a second pass converges and no reserve was lost.
    await reconcile({ repair: true, now: new Date().toISOString() }, audit);
    const item = await getItem('RC-RACE', d);
    expect(item.reservedQuantity).toBe(11);
    expect(invariantHolds(item)).toBe(true);
  });
});

/**
 * A clock `offsetMs` behind the wall clock. Traffic decides on it while audits run on the
 * wall clock: a ledger row then counts as settled 2 s after it was decided instead of 15
 * minutes, which keeps the contract (rows commit within the settle window of their key's
 * time) and lets checkpoints move while the traffic runs.
 */
const behind = (offsetMs: number): Clock => ({ now: () => new Date(Date.now() - offsetMs) });
const trafficClock = behind(CHECKPOINT_SETTLE_SECONDS * 1000 - 2000);

describe('reconciler under live traffic (rule 10: drift only when real)', () => {
  it('reports no drift and repairs nothing on a healthy table while reserves, confirms and releases run', async () => {
    // Prepare: four items, and filler rows so a full-table scan spans several pages (and time)
    // The writers commit; the stream's projection (ledger and hold rows) follows behind them,
    // as the change-stream function does.
    const d = deps(t.plainStore, { clock: trafficClock });
    const items = ['LIVE-A', 'LIVE-B', 'LIVE-C', 'LIVE-D'];
    for (const itemId of items) await seedItem(t.doc, t.tableName, itemId, 100_000);
    const filler = 'x'.repeat(3500);
    for (let i = 0; i < 600; i += 25) {
      await t.doc.send(
        new BatchWriteCommand({
          RequestItems: {
            [t.tableName]: Array.from({ length: 25 }, (_, j) => ({
              PutRequest: { Item: { pk: `FILL#${i + j}`, sk: 'FILL', entity: 'FILLER', filler } },
            })),
          },
        }),
      );
    }
    const booking = () => ({
      bookingId: randomUUID(),
      items: [
        {
          itemId: items[Math.floor(Math.random() * 4)] as string,
          quantity: 1 + Math.floor(Math.random() * 3),
        },
        { itemId: items[Math.floor(Math.random() * 4)] as string, quantity: 1 },
      ].filter((line, i, all) => all.findIndex((l) => l.itemId === line.itemId) === i),
      correlationId: 'live',
    });
    for (let i = 0; i < 40; i++) await reserveBooking(booking(), d);
    let stop = false;
    let operations = 0;
    const traffic = async () => {
      while (!stop) {
        const b = booking();
        await reserveBooking(b, d);
        const roll = Math.random();
        if (roll < 0.4) await confirmBooking({ bookingId: b.bookingId, correlationId: 'live' }, d);
        else if (roll < 0.7) {
          await releaseBooking({ bookingId: b.bookingId, reason: 'CANCELLED', correlationId: 'live' }, d);
        }
        operations++;
      }
    };

    const projection = async () => {
      while (!stop) {
        await t.store.flush();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };

    // Act: audits (repair on) while four writers run and the stream's projection follows them
    const writers = [traffic(), traffic(), traffic(), traffic(), projection()];
    const reports = [];
    try {
      for (let i = 0; i < 4; i++) {
        reports.push(await reconcile({ repair: true, now: new Date().toISOString() }, audit));
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    } finally {
      stop = true;
      await Promise.all(writers);
    }

    // Assess: nothing reported, nothing written to the items by the reconciler
    expect(operations).toBeGreaterThan(20);
    for (const report of reports) expect(report.drifts).toEqual([]);
    const rows = await scanAll(t.doc, t.tableName);
    expect(
      rows.filter(
        (r) => r.entity === 'ITEM' && items.includes(String(r.itemId)) && r.repairedAt !== undefined,
      ),
    ).toEqual([]);
    // The counters are right: they equal the sums over the reservations once traffic stopped.
    for (const itemId of items) {
      const item = await getItem(itemId, d);
      const lines = rows
        .filter((r) => r.entity === 'RESERVATION')
        .flatMap((r) =>
          (r.items as { itemId: string; quantity: number }[])
            .filter((l) => l.itemId === itemId)
            .map((l) => ({ status: r.status, quantity: l.quantity })),
        );
      const sum = (status: string) =>
        lines.filter((l) => l.status === status).reduce((n, l) => n + l.quantity, 0);
      expect({ reserved: item.reservedQuantity, confirmed: item.confirmedQuantity }).toEqual({
        reserved: sum('RESERVED'),
        confirmed: sum('CONFIRMED'),
      });
      expect(invariantHolds(item)).toBe(true);
    }
    // Once the stream has written every row, each item is compared (none lagging) and agrees.
    await t.store.flush();
    const last = await reconcile({ repair: false, now: new Date().toISOString() }, audit);
    expect(last.drifts).toEqual([]);
    expect(last.lagging).toEqual([]);
    expect(last.itemsRead).toBeGreaterThanOrEqual(items.length);
  }, 240_000);

  it('does not take a decision whose ledger rows the stream has not written yet for drift', async () => {
    // Prepare: reserves whose stream changes nobody has handled yet
    const d = deps(t.plainStore);
    await seedItem(t.doc, t.tableName, 'LAG-1', 10);
    for (let i = 0; i < 3; i++) {
      await reserveBooking(
        { bookingId: randomUUID(), items: [{ itemId: 'LAG-1', quantity: 2 }], correlationId: 'c' },
        d,
      );
    }
    class Only extends DynamoDbAuditStore {
      override async listItemIds() {
        return { itemIds: ['LAG-1'] };
      }
    }
    const only = new Only({ client: t.doc, tableName: t.tableName });

    // Act: audit (repair on) before and after the stream's changes are handled
    const before = await reconcile({ repair: true, now: new Date().toISOString() }, only);
    await t.store.flush();
    const after = await reconcile({ repair: true, now: new Date().toISOString() }, only);

    // Assess: lagging first, not drift, nothing repaired; compared and clean once written
    expect(before).toMatchObject({ lagging: ['LAG-1'], drifts: [] });
    expect(after).toMatchObject({ lagging: [], drifts: [], itemsRead: 1 });
    expect(await getItem('LAG-1', d)).toMatchObject({ reservedQuantity: 6, availableQuantity: 4 });
    expect((await ledgerOf(t.doc, t.tableName, 'LAG-1')).length).toBe(3);
  });
});

describe('reconciler cost follows what changed (per-item checkpoints)', () => {
  it('reads no ledger row of an untouched item, and only the new rows of a changed one', async () => {
    // Prepare: history an hour old on two items, audited once
    const old = deps(t.store, { clock: behind(3600_000) });
    for (const itemId of ['CP-A', 'CP-B']) await seedItem(t.doc, t.tableName, itemId, 1000);
    for (let i = 0; i < 30; i++) {
      const bookingId = randomUUID();
      await reserveBooking(
        {
          bookingId,
          items: [
            { itemId: 'CP-A', quantity: 1 },
            { itemId: 'CP-B', quantity: 2 },
          ],
          correlationId: 'c',
        },
        old,
      );
      if (i % 3 === 0) await confirmBooking({ bookingId, correlationId: 'c' }, old);
    }
    /** The audit store seeing only these items (the table holds other tests' items too). */
    class Only extends DynamoDbAuditStore {
      override async listItemIds() {
        return { itemIds: ['CP-A', 'CP-B'] };
      }
    }
    const only = new Only({ client: t.doc, tableName: t.tableName });
    const first = await reconcile({ repair: false, now: new Date().toISOString() }, only);
    expect(first).toMatchObject({ itemsChecked: 2, itemsRead: 2, drifts: [] });
    expect(first.ledgerRowsRead).toBe(
      (await ledgerOf(t.doc, t.tableName, 'CP-A')).length +
        (await ledgerOf(t.doc, t.tableName, 'CP-B')).length,
    );

    // Act: one new booking on CP-A only, decided now (inside the settle window), and audit again
    const recent = deps(t.store, { clock: behind(0) });
    await reserveBooking(
      { bookingId: randomUUID(), items: [{ itemId: 'CP-A', quantity: 4 }], correlationId: 'c' },
      recent,
    );
    const counter = countRequests(t.client);
    const second = await reconcile({ repair: false, now: new Date().toISOString() }, only);
    const requests = counter.byOperation();
    counter.reset();

    // Assess: one ledger query (CP-A) reading one row and its checkpoint put; CP-B cost its batch read only
    expect(second).toMatchObject({ itemsChecked: 2, itemsRead: 1, ledgerRowsRead: 1, drifts: [] });
    expect(requests).toEqual({ BatchGetItem: 1, Query: 1, PutItem: 1 });
    // The checkpoint did not pass the fresh row: it may still have older-keyed company.
    const checkpoint = await t.doc.send(
      new GetCommand({ TableName: t.tableName, Key: checkpointKey('CP-A'), ConsistentRead: true }),
    );
    const ledgerA = await ledgerOf(t.doc, t.tableName, 'CP-A');
    expect(checkpoint.Item?.position).toBe(ledgerA.at(-2)?.sk);
    expect(checkpoint.Item?.counters).toEqual({ reserved: 20, confirmed: 10 });
  }, 240_000);
});
