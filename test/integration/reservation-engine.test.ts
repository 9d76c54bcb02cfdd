import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/adapters/clock.ts';
import {
  BookingConflictError,
  InsufficientInventoryError,
  ItemNotFoundError,
  StockConflictError,
} from '../../shared/domain/errors.ts';
import {
  adjustStock,
  applyBookingCreated,
  confirmBooking,
  expireDueReservations,
  getItem,
  putItem,
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

beforeAll(async () => {
  t = await createTestTables('engine');
});
afterAll(async () => {
  await t.drop();
});

const reserve = (
  d: ReturnType<typeof deps>,
  bookingId: string,
  items: { itemId: string; quantity: number }[],
) => reserveBooking({ bookingId, items, correlationId: `corr-${bookingId}` }, d);

describe('reserve under contention', () => {
  it('200 concurrent one-unit reserves against stock 10 give exactly 10 successes', async () => {
    // Prepare
    await seedItem(t.doc, t.tableName, 'HOT-1', 10);
    const d = deps(t.store);
    // Act
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, () => reserve(d, randomUUID(), [{ itemId: 'HOT-1', quantity: 1 }])),
    );
    // Assess
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter(
      (r) => r.status === 'rejected' && r.reason instanceof InsufficientInventoryError,
    );
    expect(ok).toHaveLength(10);
    expect(refused).toHaveLength(190);
    const item = await getItem('HOT-1', d);
    expect(item).toMatchObject({ totalQuantity: 10, availableQuantity: 0, reservedQuantity: 10 });
    expect(await ledgerOf(t.doc, t.tableName, 'HOT-1')).toHaveLength(10);
    expect(d.publisher.ofType('InventoryReserved')).toHaveLength(10);
    // Refusals over HTTP are answered to the caller only: no record, no event.
    expect(d.publisher.ofType('InventoryReservationFailed')).toHaveLength(0);
  });

  it('200 concurrent BookingCreated against stock 10: 10 reserved, 190 refusals recorded and answered', async () => {
    await seedItem(t.doc, t.tableName, 'HOT-2', 10);
    const d = deps(t.store);
    const ids = Array.from({ length: 200 }, () => randomUUID());
    const outcomes = await Promise.all(
      ids.map((bookingId) =>
        applyBookingCreated({ bookingId, items: [{ itemId: 'HOT-2', quantity: 1 }], correlationId: 'c' }, d),
      ),
    );
    expect(outcomes.filter((o) => !o.refusal)).toHaveLength(10);
    expect(await getItem('HOT-2', d)).toMatchObject({ availableQuantity: 0, reservedQuantity: 10 });
    expect(d.publisher.ofType('InventoryReserved')).toHaveLength(10);
    expect(d.publisher.ofType('InventoryReservationFailed')).toHaveLength(190);
    const states = await Promise.all(
      ids.map(async (id) => (await t.store.getBooking(id)).reservation?.status),
    );
    expect(states.filter((s) => s === 'REFUSED')).toHaveLength(190);
  });
});

describe('reserve semantics', () => {
  it('a replayed reserve reserves once and answers with the same reservation id', async () => {
    await seedItem(t.doc, t.tableName, 'REPLAY-1', 5);
    const d = deps(t.store);
    const bookingId = randomUUID();
    const first = await reserve(d, bookingId, [{ itemId: 'REPLAY-1', quantity: 2 }]);
    const again = await Promise.all(
      [1, 2, 3].map(() => reserve(d, bookingId, [{ itemId: 'REPLAY-1', quantity: 2 }])),
    );
    expect(first.outcome).toBe('created');
    expect(again.map((r) => r.outcome)).toEqual(['replayed', 'replayed', 'replayed']);
    expect(new Set(again.map((r) => r.reservation.reservationId))).toEqual(
      new Set([first.reservation.reservationId]),
    );
    expect(await getItem('REPLAY-1', d)).toMatchObject({ availableQuantity: 3, reservedQuantity: 2 });
  });

  it('concurrent identical reserves of one booking reserve once', async () => {
    await seedItem(t.doc, t.tableName, 'RACE-1', 100);
    const d = deps(t.store);
    const bookingId = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => reserve(d, bookingId, [{ itemId: 'RACE-1', quantity: 3 }])),
    );
    expect(results.filter((r) => r.outcome === 'created')).toHaveLength(1);
    expect(await getItem('RACE-1', d)).toMatchObject({ availableQuantity: 97, reservedQuantity: 3 });
  });

  it('a multi-item request with one short line leaves nothing behind', async () => {
    await seedItem(t.doc, t.tableName, 'MULTI-A', 5);
    await seedItem(t.doc, t.tableName, 'MULTI-B', 1);
    const d = deps(t.store);
    const bookingId = randomUUID();
    const before = await scanAll(t.doc, t.tableName);
    const attempt = reserve(d, bookingId, [
      { itemId: 'MULTI-A', quantity: 2 },
      { itemId: 'MULTI-B', quantity: 3 },
    ]);
    await expect(attempt).rejects.toBeInstanceOf(InsufficientInventoryError);
    await attempt.catch((error: InsufficientInventoryError) => {
      expect(error.shortfalls).toEqual([{ itemId: 'MULTI-B', requested: 3, available: 1 }]);
    });
    expect(await scanAll(t.doc, t.tableName)).toEqual(before);
    expect(d.publisher.ofType('InventoryReservationFailed')).toHaveLength(0);
    // The same booking from the saga: the refusal is recorded (alone) and answered.
    const saga = await applyBookingCreated(
      {
        bookingId,
        items: [
          { itemId: 'MULTI-A', quantity: 2 },
          { itemId: 'MULTI-B', quantity: 3 },
        ],
        correlationId: 'c',
      },
      d,
    );
    expect(saga.record).toMatchObject({ status: 'REFUSED', refusal: 'INSUFFICIENT_INVENTORY' });
    expect(await getItem('MULTI-A', d)).toMatchObject({ availableQuantity: 5, reservedQuantity: 0 });
    expect(d.publisher.ofType('InventoryReservationFailed')[0]?.detail.data).toMatchObject({
      reason: 'INSUFFICIENT_INVENTORY',
      items: [{ itemId: 'MULTI-B', requested: 3, available: 1 }],
    });
  });

  it('an unknown item is ITEM_NOT_FOUND and reserves nothing', async () => {
    await seedItem(t.doc, t.tableName, 'KNOWN-1', 5);
    const d = deps(t.store);
    const attempt = reserve(d, randomUUID(), [
      { itemId: 'KNOWN-1', quantity: 1 },
      { itemId: 'GHOST-1', quantity: 1 },
    ]);
    await expect(attempt).rejects.toBeInstanceOf(ItemNotFoundError);
    expect(await getItem('KNOWN-1', d)).toMatchObject({ availableQuantity: 5, reservedQuantity: 0 });
  });

  it('the same booking with other lines is a BOOKING_CONFLICT', async () => {
    await seedItem(t.doc, t.tableName, 'CONF-1', 5);
    const d = deps(t.store);
    const bookingId = randomUUID();
    await reserve(d, bookingId, [{ itemId: 'CONF-1', quantity: 1 }]);
    await expect(reserve(d, bookingId, [{ itemId: 'CONF-1', quantity: 2 }])).rejects.toBeInstanceOf(
      BookingConflictError,
    );
  });

  it('a cancellation before the reservation is recorded and refuses the later reserve', async () => {
    await seedItem(t.doc, t.tableName, 'TOMB-1', 5);
    const d = deps(t.store);
    const bookingId = randomUUID();
    const released = await releaseBooking({ bookingId, reason: 'CANCELLED', correlationId: 'c' }, d);
    expect(released.outcome).toBe('recorded');
    await expect(reserve(d, bookingId, [{ itemId: 'TOMB-1', quantity: 1 }])).rejects.toBeInstanceOf(
      BookingConflictError,
    );
    expect(d.publisher.ofType('InventoryReservationFailed')[0]?.detail.data).toMatchObject({
      reason: 'BOOKING_RELEASED',
    });
    expect(await getItem('TOMB-1', d)).toMatchObject({ availableQuantity: 5 });
  });
});

describe('transitions move quantities', () => {
  it('reserve, confirm, cancel: available -> reserved -> confirmed -> available', async () => {
    await seedItem(t.doc, t.tableName, 'FLOW-1', 10);
    const d = deps(t.store);
    const bookingId = randomUUID();
    await reserve(d, bookingId, [{ itemId: 'FLOW-1', quantity: 4 }]);
    expect(await getItem('FLOW-1', d)).toMatchObject({ availableQuantity: 6, reservedQuantity: 4 });
    await confirmBooking({ bookingId, correlationId: 'c', paymentId: 'pay-1' }, d);
    expect(await getItem('FLOW-1', d)).toMatchObject({ reservedQuantity: 0, confirmedQuantity: 4 });
    const cancelled = await releaseBooking({ bookingId, reason: 'CANCELLED', correlationId: 'c' }, d);
    expect(cancelled.reservation.status).toBe('RELEASED');
    expect(await getItem('FLOW-1', d)).toMatchObject({ availableQuantity: 10, confirmedQuantity: 0 });
    const again = await releaseBooking({ bookingId, reason: 'CANCELLED', correlationId: 'c' }, d);
    expect(again.outcome).toBe('unchanged');
    expect(await getItem('FLOW-1', d)).toMatchObject({ availableQuantity: 10 });
  });

  it('a payment that arrives first is applied when the reservation is made', async () => {
    await seedItem(t.doc, t.tableName, 'EARLY-1', 10);
    const d = deps(t.store);
    const bookingId = randomUUID();
    expect((await confirmBooking({ bookingId, correlationId: 'c', paymentId: 'pay-1' }, d)).effect).toBe(
      'remember-payment',
    );
    const reserved = await reserve(d, bookingId, [{ itemId: 'EARLY-1', quantity: 2 }]);
    expect(reserved.reservation.status).toBe('CONFIRMED');
    expect(await getItem('EARLY-1', d)).toMatchObject({ availableQuantity: 8, confirmedQuantity: 2 });
  });

  it('expiry releases due holds and a late payment re-reserves when stock allows', async () => {
    await seedItem(t.doc, t.tableName, 'EXP-1', 3);
    const clock = new ManualClock('2026-03-01T10:00:00.000Z');
    const d = deps(t.store, { clock });
    const bookingId = randomUUID();
    await reserveBooking(
      { bookingId, items: [{ itemId: 'EXP-1', quantity: 2 }], correlationId: 'c', ttlSeconds: 60 },
      d,
    );
    clock.advance(61_000);
    const swept = await expireDueReservations({ limit: 1000 }, d);
    expect(swept.expired).toBeGreaterThanOrEqual(1);
    expect(await getItem('EXP-1', d)).toMatchObject({ availableQuantity: 3, reservedQuantity: 0 });
    const late = await confirmBooking({ bookingId, correlationId: 'c', paymentId: 'pay-1' }, d);
    expect(late.effect).toBe('re-reserve-paid');
    expect(await getItem('EXP-1', d)).toMatchObject({ availableQuantity: 1, confirmedQuantity: 2 });
  });

  it('a reserve short of stock reclaims expired holds first', async () => {
    await seedItem(t.doc, t.tableName, 'RECLAIM-1', 2);
    const clock = new ManualClock('2026-03-02T10:00:00.000Z');
    const d = deps(t.store, { clock });
    await reserveBooking(
      {
        bookingId: randomUUID(),
        items: [{ itemId: 'RECLAIM-1', quantity: 2 }],
        correlationId: 'c',
        ttlSeconds: 30,
      },
      d,
    );
    clock.advance(31_000);
    const second = await reserve(d, randomUUID(), [{ itemId: 'RECLAIM-1', quantity: 2 }]);
    expect(second.outcome).toBe('created');
    expect(await getItem('RECLAIM-1', d)).toMatchObject({ availableQuantity: 0, reservedQuantity: 2 });
  });
});

describe('reclaim under a refusal storm', () => {
  it('asks for a hot item’s holds at most once per second while none is due, and at once when one is', async () => {
    const own = await createTestTables('storm');
    try {
      const counter = countRequests(own.client);
      // The hold rows are written from the table's stream, as the change-stream function does.
      const store = own.store;
      await seedItem(own.doc, own.tableName, 'STORM-1', 1);
      const clock = new ManualClock('2026-03-03T10:00:00.000Z');
      const d = deps(store, { clock });
      await reserveBooking(
        {
          bookingId: randomUUID(),
          items: [{ itemId: 'STORM-1', quantity: 1 }],
          correlationId: 'c',
          ttlSeconds: 5,
        },
        d,
      );
      counter.reset();
      // 20 refusals within the same second: one hold query, not 20.
      for (let i = 0; i < 20; i++) {
        await expect(reserve(d, randomUUID(), [{ itemId: 'STORM-1', quantity: 1 }])).rejects.toBeInstanceOf(
          InsufficientInventoryError,
        );
        clock.advance(40);
      }
      expect(counter.byOperation().Query).toBe(1);
      // A second later: asked again (a hold may have been written meanwhile); still none due.
      clock.advance(1_000);
      await expect(reserve(d, randomUUID(), [{ itemId: 'STORM-1', quantity: 1 }])).rejects.toBeInstanceOf(
        InsufficientInventoryError,
      );
      expect(counter.byOperation().Query).toBe(2);
      // Past the hold's expiry: reclaimed at once.
      clock.advance(5_000);
      const third = await reserve(d, randomUUID(), [{ itemId: 'STORM-1', quantity: 1 }]);
      expect(third.outcome).toBe('created');
    } finally {
      await own.drop();
    }
  });
});

describe('hold rows written from the change stream', () => {
  it('a reserve writes one per line and a confirmation removes them, once the stream is handled', async () => {
    await seedItem(t.doc, t.tableName, 'HR-1', 5);
    await seedItem(t.doc, t.tableName, 'HR-2', 5);
    const bookingId = randomUUID();
    const holds = async () =>
      (await scanAll(t.doc, t.tableName)).filter((r) => r.entity === 'HOLD' && r.bookingId === bookingId);
    await reserve(deps(t.plainStore), bookingId, [
      { itemId: 'HR-1', quantity: 2 },
      { itemId: 'HR-2', quantity: 1 },
    ]);
    // Committed, not yet projected: the transaction wrote no hold and no ledger row.
    expect(await holds()).toEqual([]);
    expect(await ledgerOf(t.doc, t.tableName, 'HR-1')).toEqual([]);
    await t.store.flush();
    expect((await holds()).map((h) => [h.pk, h.quantity]).sort()).toEqual([
      ['ITEM#HR-1', 2],
      ['ITEM#HR-2', 1],
    ]);
    expect(await ledgerOf(t.doc, t.tableName, 'HR-1')).toMatchObject([{ type: 'RESERVE', quantity: 2 }]);
    await confirmBooking({ bookingId, correlationId: 'c' }, deps(t.store));
    expect(await holds()).toEqual([]);
    expect((await ledgerOf(t.doc, t.tableName, 'HR-2')).map((m) => m.type)).toEqual(['RESERVE', 'CONFIRM']);
  });

  it('reclaim drops a due hold row its booking no longer has (a stream batch redriven late wrote it again)', async () => {
    const own = await createTestTables('stale');
    try {
      // Prepare: two units; one booking holds for 5 s and is then paid, another holds for an hour
      await seedItem(own.doc, own.tableName, 'ST-1', 2);
      const clock = new ManualClock('2026-03-03T10:00:00.000Z');
      const d = deps(own.store, { clock });
      const paid = randomUUID();
      const line = [{ itemId: 'ST-1', quantity: 1 }];
      await reserveBooking({ bookingId: paid, items: line, correlationId: 'c', ttlSeconds: 5 }, d);
      const hold = (await scanAll(own.doc, own.tableName)).find((r) => r.entity === 'HOLD');
      expect(hold).toBeDefined();
      await confirmBooking({ bookingId: paid, correlationId: 'c' }, d);
      await reserveBooking({ bookingId: randomUUID(), items: line, correlationId: 'c', ttlSeconds: 3600 }, d);
      // The first reserve's stream batch, redriven after the confirmation, wrote its hold row again.
      await own.doc.send(new PutCommand({ TableName: own.tableName, Item: hold as Record<string, unknown> }));
      clock.advance(10_000);
      const counter = countRequests(own.client);

      // Act: three refusals past the stale row's expiry, within a second
      for (let i = 0; i < 3; i++) {
        await expect(reserve(d, randomUUID(), line)).rejects.toBeInstanceOf(InsufficientInventoryError);
        clock.advance(100);
      }
      const requests = counter.byOperation();

      // Assess: the paid booking stays confirmed; its stale row is dropped once, and then no
      // hold is due there, so the third refusal asks for none (the second asked again)
      expect((await own.plainStore.getBooking(paid)).reservation?.status).toBe('CONFIRMED');
      const left = (await scanAll(own.doc, own.tableName)).filter((r) => r.entity === 'HOLD');
      expect(left.map((r) => r.bookingId)).not.toContain(paid);
      expect(left).toHaveLength(1);
      // Three refusals; two hold reads and one read of the paid booking; one delete.
      expect(requests).toEqual({ TransactWriteItems: 3, Query: 3, DeleteItem: 1 });
      expect(await own.plainStore.getItem('ST-1')).toMatchObject({
        confirmedQuantity: 1,
        reservedQuantity: 1,
        availableQuantity: 0,
      });
    } finally {
      await own.drop();
    }
  });
});

describe('stock administration', () => {
  it('creates, raises and refuses to lower the total below what is held', async () => {
    const d = deps(t.store);
    const created = await putItem(
      { itemId: 'ADMIN-1', name: 'Room', totalQuantity: 5, correlationId: 'c' },
      d,
    );
    expect(created.outcome).toBe('created');
    await reserve(d, randomUUID(), [{ itemId: 'ADMIN-1', quantity: 3 }]);
    await expect(
      putItem({ itemId: 'ADMIN-1', name: 'Room', totalQuantity: 2, correlationId: 'c' }, d),
    ).rejects.toBeInstanceOf(StockConflictError);
    const updated = await putItem(
      { itemId: 'ADMIN-1', name: 'Suite', totalQuantity: 8, correlationId: 'c' },
      d,
    );
    expect(updated.item).toMatchObject({
      name: 'Suite',
      totalQuantity: 8,
      availableQuantity: 5,
      reservedQuantity: 3,
    });
    await expect(
      adjustStock({ itemId: 'ADMIN-1', delta: -6, reason: 'damage', correlationId: 'c' }, d),
    ).rejects.toBeInstanceOf(StockConflictError);
    const adjusted = await adjustStock(
      { itemId: 'ADMIN-1', delta: -5, reason: 'damage', correlationId: 'c' },
      d,
    );
    expect(adjusted).toMatchObject({ totalQuantity: 3, availableQuantity: 0 });
    expect(invariantHolds(await getItem('ADMIN-1', d))).toBe(true);
  });
});
