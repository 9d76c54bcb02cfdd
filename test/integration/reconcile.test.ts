import { randomUUID } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbAuditStore } from '../../shared/adapters/audit-store.ts';
import { confirmBooking, getItem, reconcile, reserveBooking } from '../../shared/domain/use-cases/index.ts';
import { createTestTables, invariantHolds, seedItem, type TestTables } from '../support/dynamo.ts';
import { deps } from '../support/fakes.ts';

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
      Key: { pk: `ITEM#${itemId}`, sk: 'ITEM' },
      UpdateExpression: expression,
      ExpressionAttributeValues: values,
    }),
  );

describe('reconciler', () => {
  it('finds exactly the corrupted items and repairs exactly those', async () => {
    // Prepare: real traffic through the use cases on three items
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
