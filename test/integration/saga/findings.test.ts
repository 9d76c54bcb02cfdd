import { randomUUID } from 'node:crypto';
import { BatchWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../shared/adapters/clock.ts';
import { reservationRow } from '../../../shared/adapters/dynamodb-store.ts';
import type { IncomingEvent } from '../../../shared/consumers/consumer.ts';
import {
  onBookingCancelled,
  onBookingCreated,
  onPaymentFailed,
  onPaymentSucceeded,
} from '../../../shared/consumers/saga-handlers.ts';
import { ConcurrentModificationError } from '../../../shared/domain/errors.ts';
import { reservationIdFor } from '../../../shared/domain/event-ids.ts';
import type { InventoryStore } from '../../../shared/domain/ports.ts';
import { expireDueReservations, reserveBooking } from '../../../shared/domain/use-cases/index.ts';
import { createTestTables, seedItem, type TestTables } from '../../support/dynamo.ts';
import { deps } from '../../support/fakes.ts';

/**
 * One test per finding of the saga v2 review, each written against the code before the
 * fix and failing there (see the commit that added this file). The exhaustive model
 * (test/model) covers the whole space; these name the cases that were observed.
 */

let t: TestTables;
beforeAll(async () => {
  t = await createTestTables('findings');
});
afterAll(async () => {
  await t.drop();
});

let seq = 0;
function event<D>(detailType: string, data: D): IncomingEvent<D> {
  seq++;
  return {
    detailType,
    source: 'test',
    metadata: {
      eventId: randomUUID(),
      correlationId: `corr-${seq}`,
      occurredAt: new Date().toISOString(),
      schemaVersion: '1',
    },
    data,
  };
}

const created = (bookingId: string, itemId: string, quantity = 1) =>
  event('BookingCreated', { bookingId, items: [{ itemId, quantity }] });
const paid = (bookingId: string, paymentId: string) => event('PaymentSucceeded', { bookingId, paymentId });
const failed = (bookingId: string) => event('PaymentFailed', { bookingId });
const cancelled = (bookingId: string) => event('BookingCancelled', { bookingId });

function setup(stock = 5) {
  const itemId = `F-${randomUUID().slice(0, 8)}`;
  const clock = new ManualClock('2026-05-01T10:00:00.000Z');
  const d = { ...deps(t.store, { clock }), defaultTtlSeconds: 60 };
  return { itemId, clock, d, seed: () => seedItem(t.doc, t.tableName, itemId, stock) };
}

const answersFor = (d: ReturnType<typeof setup>['d'], bookingId: string) =>
  d.publisher.published
    .filter((e) => (e.detail.data as { bookingId?: string }).bookingId === bookingId)
    .map(
      (e) =>
        `${e.detailType}${(e.detail.data as { reason?: string }).reason ? `:${(e.detail.data as { reason?: string }).reason}` : ''}`,
    );

describe('finding: a cancelled booking ends confirmed', () => {
  it('BookingCreated → hold expires → BookingCancelled → PaymentSucceeded holds nothing and refunds', async () => {
    const { itemId, clock, d, seed } = setup();
    await seed();
    const b = randomUUID();
    await onBookingCreated(created(b, itemId, 2), d);
    clock.advance(61_000);
    await expireDueReservations({ limit: 100 }, d);
    await onBookingCancelled(cancelled(b), d);
    await onPaymentSucceeded(paid(b, 'pay-1'), d);
    expect(await t.store.getItem(itemId)).toMatchObject({
      availableQuantity: 5,
      reservedQuantity: 0,
      confirmedQuantity: 0,
    });
    expect(answersFor(d, b)).toContain('InventoryConfirmationFailed:BOOKING_CANCELLED');
    expect(answersFor(d, b)).not.toContain('InventoryConfirmed');
  });

  it('BookingCreated → PaymentFailed → BookingCancelled → PaymentSucceeded holds nothing and refunds', async () => {
    const { itemId, d, seed } = setup();
    await seed();
    const b = randomUUID();
    await onBookingCreated(created(b, itemId, 2), d);
    await onPaymentFailed(failed(b), d);
    await onBookingCancelled(cancelled(b), d);
    await onPaymentSucceeded(paid(b, 'pay-1'), d);
    expect(await t.store.getItem(itemId)).toMatchObject({ availableQuantity: 5, confirmedQuantity: 0 });
    expect(answersFor(d, b)).toContain('InventoryConfirmationFailed:BOOKING_CANCELLED');
  });
});

describe('finding: a payment is dropped with no answer', () => {
  it('PaymentSucceeded → PaymentFailed → BookingCreated confirms (success beats failure)', async () => {
    const { itemId, d, seed } = setup();
    await seed();
    const b = randomUUID();
    await onPaymentSucceeded(paid(b, 'pay-1'), d);
    await onPaymentFailed(failed(b), d);
    await onBookingCreated(created(b, itemId, 2), d);
    expect(await t.store.getItem(itemId)).toMatchObject({ confirmedQuantity: 2 });
    expect(answersFor(d, b)).toEqual(['InventoryReserved', 'InventoryConfirmed']);
  });

  it('BookingCreated short of stock → PaymentSucceeded answers the payment (refund)', async () => {
    const { itemId, d, seed } = setup(1);
    await seed();
    const b = randomUUID();
    await onBookingCreated(created(b, itemId, 2), d);
    await onPaymentSucceeded(paid(b, 'pay-1'), d);
    expect(answersFor(d, b)).toEqual([
      'InventoryReservationFailed:INSUFFICIENT_INVENTORY',
      'InventoryConfirmationFailed:STOCK_UNAVAILABLE',
    ]);
  });
});

describe('finding: a retryable conflict is acknowledged and lost', () => {
  it('a BookingCreated whose writes keep losing races fails (for redelivery) instead of being acknowledged', async () => {
    const { itemId, d, seed } = setup();
    await seed();
    const racing: InventoryStore = {
      getBooking: (id: string) => t.store.getBooking(id),
      writeReservation: async () => {
        throw new ConcurrentModificationError('lost the race');
      },
    } as unknown as InventoryStore;
    await expect(
      onBookingCreated(created(randomUUID(), itemId), { ...d, store: racing }),
    ).rejects.toBeInstanceOf(ConcurrentModificationError);
  });
});

describe('finding: failure decisions are not recorded', () => {
  it('a PaymentSucceeded refused for stock is refused again when redelivered after stock frees up', async () => {
    const { itemId, clock, d, seed } = setup(2);
    await seed();
    const b = randomUUID();
    const other = randomUUID();
    await onBookingCreated(created(b, itemId, 2), d);
    clock.advance(61_000);
    await expireDueReservations({ limit: 100 }, d);
    await onBookingCreated(created(other, itemId, 2), d); // takes the stock
    const payment = paid(b, 'pay-1');
    await onPaymentSucceeded(payment, d);
    await onBookingCancelled(cancelled(other), d); // stock frees up
    await onPaymentSucceeded(payment, d); // the same event, redelivered
    expect(answersFor(d, b).filter((a) => a.startsWith('InventoryConfirm'))).toEqual([
      'InventoryConfirmationFailed:STOCK_UNAVAILABLE',
    ]);
    expect(await t.store.getItem(itemId)).toMatchObject({ confirmedQuantity: 0, availableQuantity: 2 });
  });

  it('a BookingCreated refused for stock is refused again when redelivered after stock frees up', async () => {
    const { itemId, d, seed } = setup(1);
    await seed();
    const b = randomUUID();
    const other = randomUUID();
    await onBookingCreated(created(other, itemId, 1), d);
    const late = created(b, itemId, 1);
    await onBookingCreated(late, d);
    await onBookingCancelled(cancelled(other), d);
    await onBookingCreated(late, d);
    expect(answersFor(d, b)).toEqual(['InventoryReservationFailed:INSUFFICIENT_INVENTORY']);
  });
});

describe('finding: availability waits for the sweeper', () => {
  it('an expired hold on the requested item is reclaimed whatever is due elsewhere (2,000 due holds on other items)', async () => {
    // A table of its own: the 2,000 loaded holds would be the other tests' sweeper's work.
    const own = await createTestTables('reclaim');
    const itemId = `F-${randomUUID().slice(0, 8)}`;
    const clock = new ManualClock('2026-05-01T10:00:00.000Z');
    const d = { ...deps(own.store, { clock }), defaultTtlSeconds: 60 };
    await seedItem(own.doc, own.tableName, itemId, 1);
    await reserveBooking(
      { bookingId: randomUUID(), items: [{ itemId, quantity: 1 }], correlationId: 'c' },
      d,
    );
    // 2,000 holds due on other items, loaded directly into the due index.
    const past = new Date(Date.parse(clock.now().toISOString()) - 60_000).toISOString();
    const rows = Array.from({ length: 2_000 }, () => {
      const bookingId = randomUUID();
      return reservationRow({
        reservationId: reservationIdFor(bookingId),
        bookingId,
        status: 'RESERVED',
        items: [{ itemId: `${itemId}-ELSEWHERE`, quantity: 1 }],
        expiresAt: past,
        createdAt: past,
        correlationId: 'load',
        version: 1,
        generation: 0,
      });
    });
    for (let i = 0; i < rows.length; i += 25) {
      await own.doc.send(
        new BatchWriteCommand({
          RequestItems: { [own.tableName]: rows.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
        }),
      );
    }
    clock.advance(61_000);
    const result = await reserveBooking(
      { bookingId: randomUUID(), items: [{ itemId, quantity: 1 }], correlationId: 'c' },
      d,
    );
    expect(result.outcome).toBe('created');
    await own.drop();
  }, 120_000);

  it('a late payment re-reserve reclaims expired holds too', async () => {
    const { itemId, clock, d, seed } = setup(1);
    await seed();
    const b = randomUUID();
    await onBookingCreated(created(b, itemId, 1), d);
    clock.advance(61_000);
    await expireDueReservations({ limit: 100 }, d);
    const other = randomUUID();
    await onBookingCreated(created(other, itemId, 1), d); // holds the unit
    clock.advance(61_000); // other's hold is due but not swept
    await onPaymentSucceeded(paid(b, 'pay-1'), d);
    expect(answersFor(d, b)).toContain('InventoryConfirmed');
    expect(await t.store.getItem(itemId)).toMatchObject({ confirmedQuantity: 1, reservedQuantity: 0 });
  });
});

describe('finding: one bad hold stops the sweeper (and, before the stream, the relay)', () => {
  it('a hold on an item whose counters drifted is skipped; the other holds expire', async () => {
    const { itemId, clock, d, seed } = setup(5);
    await seed();
    const drifted = `${itemId}-D`;
    await seedItem(t.doc, t.tableName, drifted, 5);
    await onBookingCreated(created(randomUUID(), drifted, 1), d);
    await onBookingCreated(created(randomUUID(), itemId, 1), d);
    // Someone zeroed the drifted item's reserved counter: its hold cannot be released.
    await t.doc.send(
      new UpdateCommand({
        TableName: t.tableName,
        Key: { pk: `ITEM#${drifted}`, sk: 'ITEM' },
        UpdateExpression: 'SET reservedQuantity = :z, availableQuantity = :five',
        ExpressionAttributeValues: { ':z': 0, ':five': 5 },
      }),
    );
    clock.advance(61_000);
    const result = await expireDueReservations({ limit: 100 }, d);
    expect(result).toMatchObject({ expired: expect.any(Number), failed: 1 });
    expect(await t.store.getItem(itemId)).toMatchObject({ reservedQuantity: 0, availableQuantity: 5 });
    // The other hold's expiry is on the bus (the stream publishes it).
    expect(d.publisher.ofType('InventoryReleased').map((e) => e.detail.data.reason)).toContain('EXPIRED');
  });
});

describe('finding: booking ids are compared case-sensitively', () => {
  it('BookingCreated in lower case and PaymentSucceeded in upper case are one booking', async () => {
    const { itemId, d, seed } = setup();
    await seed();
    const b = randomUUID();
    await onBookingCreated(created(b, itemId, 1), d);
    await onPaymentSucceeded(paid(b.toUpperCase(), 'pay-1'), d);
    expect(await t.store.getItem(itemId)).toMatchObject({ confirmedQuantity: 1, reservedQuantity: 0 });
  });
});
