import { randomUUID } from 'node:crypto';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../shared/adapters/clock.ts';
import { itemKey, reservationRow } from '../../../shared/adapters/dynamodb-store.ts';
import { reservationIdFor } from '../../../shared/domain/event-ids.ts';
import {
  confirmBooking,
  expireDueReservations,
  reserveBooking,
} from '../../../shared/domain/use-cases/index.ts';
import { createTestTables, invariantHolds, seedItem, type TestTables } from '../../support/dynamo.ts';
import { deps } from '../../support/fakes.ts';
import { countRequests } from '../../support/request-counter.ts';

let t: TestTables;

beforeAll(async () => {
  t = await createTestTables('expiry');
});
afterAll(async () => {
  await t.drop();
});

describe('expiry', () => {
  it('expiry racing a confirmation: exactly one wins and nothing is counted twice', async () => {
    const clock = new ManualClock('2026-05-01T10:00:00.000Z');
    const d = deps(t.store, { clock });
    await seedItem(t.doc, t.tableName, 'RACE-EXP', 100);
    const bookings = Array.from({ length: 20 }, () => randomUUID());
    for (const bookingId of bookings) {
      await reserveBooking(
        { bookingId, items: [{ itemId: 'RACE-EXP', quantity: 2 }], correlationId: 'c', ttlSeconds: 60 },
        d,
      );
    }
    clock.advance(61_000);
    await Promise.all([
      expireDueReservations({ limit: 1000 }, d),
      ...bookings.map((bookingId) => confirmBooking({ bookingId, correlationId: 'c' }, d)),
    ]);
    const item = await t.store.getItem('RACE-EXP');
    const states = await Promise.all(
      bookings.map(async (b) => (await t.store.getBooking(b)).reservation?.status),
    );
    const confirmed = states.filter((s) => s === 'CONFIRMED').length;
    // A booking that lost to expiry may have been re-reserved by its payment: still CONFIRMED, counted once.
    expect(states.every((s) => s === 'CONFIRMED' || s === 'EXPIRED')).toBe(true);
    expect(item).toMatchObject({
      reservedQuantity: 0,
      confirmedQuantity: 2 * confirmed,
      availableQuantity: 100 - 2 * confirmed,
    });
    expect(invariantHolds(item!)).toBe(true);
  });

  it('expires only due holds among many live ones, in bounded batches that continue where they stopped', async () => {
    const clock = new ManualClock('2026-05-02T10:00:00.000Z');
    const d = deps(t.store, { clock });
    await seedItem(t.doc, t.tableName, 'MANY-EXP', 10_000);
    for (let i = 0; i < 60; i++) {
      await reserveBooking(
        {
          bookingId: randomUUID(),
          items: [{ itemId: 'MANY-EXP', quantity: 1 }],
          correlationId: 'c',
          ttlSeconds: i < 25 ? 30 : 3600,
        },
        d,
      );
    }
    clock.advance(31_000);
    const first = await expireDueReservations({ limit: 10 }, d);
    const second = await expireDueReservations({ limit: 10 }, d);
    const third = await expireDueReservations({ limit: 10 }, d);
    const fourth = await expireDueReservations({ limit: 10 }, d);
    expect([first.expired, second.expired, third.expired, fourth.expired]).toEqual([10, 10, 5, 0]);
    expect(await t.store.getItem('MANY-EXP')).toMatchObject({
      reservedQuantity: 35,
      availableQuantity: 10_000 - 35,
    });
    expect(
      d.publisher.ofType('InventoryReleased').filter((e) => e.detail.data.reason === 'EXPIRED'),
    ).toHaveLength(25);
  });

  // The timed sweep over 1,000 due among 10,000 is the bench's expiry stage; this keeps the
  // cost claim (requests follow what is due, not what is stored) at a size a test can afford.
  it('sweeps 200 due among 2,000 live reservations with about one transaction per expiry', async () => {
    const due = 200;
    const live = 2_000;
    const now = '2026-06-01T12:00:00.000Z';
    const clock = new ManualClock(now);
    // A table of its own, so the other tests' holds are not in the count.
    const own = await createTestTables('sweep');
    const t = own;
    await seedItem(t.doc, t.tableName, 'SWEEP', 1_000_000);
    // Load reservations directly (the item counters carry them), as the store would have written them.
    const rows = Array.from({ length: due + live }, (_, i) => {
      const bookingId = randomUUID();
      const expiresAt = new Date(Date.parse(now) + (i < due ? -60_000 : 3_600_000)).toISOString();
      return reservationRow({
        reservationId: reservationIdFor(bookingId),
        bookingId,
        status: 'RESERVED',
        items: [{ itemId: 'SWEEP', quantity: 1 }],
        expiresAt,
        createdAt: now,
        correlationId: 'load',
        version: 1,
        generation: 0,
      });
    });
    for (let i = 0; i < rows.length; i += 25) {
      await t.doc.send(
        new BatchWriteCommand({
          RequestItems: { [t.tableName]: rows.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
        }),
      );
    }
    const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    await t.doc.send(
      new UpdateCommand({
        TableName: t.tableName,
        Key: itemKey('SWEEP'),
        UpdateExpression: 'SET availableQuantity = availableQuantity - :n, reservedQuantity = :n',
        ExpressionAttributeValues: { ':n': due + live },
      }),
    );
    const counter = countRequests(t.client);
    // The plain store: this measures the sweep's requests, not the stream tap of the tests.
    const d = deps(t.plainStore, { clock });
    const start = performance.now();
    let expired = 0;
    for (;;) {
      const result = await expireDueReservations({ limit: 200 }, d);
      expired += result.expired;
      if (result.examined < 200) break;
    }
    const ms = performance.now() - start;
    expect(expired).toBe(due);
    expect(await t.store.getItem('SWEEP')).toMatchObject({ reservedQuantity: live });
    // Cost follows what is due, not what is stored: about one transaction per expiry (the
    // change stream publishes; nothing is cleaned up after the commit).
    expect(counter.total()).toBeLessThan(due * 1.2);
    console.info(
      `sweeper: expired ${expired} of ${due + live} reservations in ${(ms / 1000).toFixed(2)} s with ${counter.total()} DynamoDB requests ${JSON.stringify(counter.byOperation())}`,
    );
    await own.drop();
  }, 300_000);
});
