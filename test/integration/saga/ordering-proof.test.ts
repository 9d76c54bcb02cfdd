import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../shared/adapters/clock.ts';
import {
  onBookingCancelled,
  onBookingCreated,
  onPaymentFailed,
  onPaymentSucceeded,
} from '../../../shared/consumers/saga-handlers.ts';
import { eventIdFor } from '../../../shared/domain/event-ids.ts';
import type { Dependencies } from '../../../shared/domain/ports.ts';
import { createTestTables, seedItem, type TestTables } from '../../support/dynamo.ts';
import { RecordingPublisher, silentLog } from '../../support/fakes.ts';
import { type SagaEventType, sampleFor } from '../../support/saga.ts';

/**
 * The ordering proof: for BookingCreated with each of PaymentSucceeded, PaymentFailed and
 * BookingCancelled, every ordering of every delivery count (1 to 3 each) is delivered
 * sequentially and with a random grouping into concurrent deliveries, straight to the
 * consumers' use cases with no idempotency layer, so only the conditional writes stand
 * between duplicates and double counting. Each run must end like in-order delivery, or
 * like the documented outcome when the other event effectively came first.
 */

type Other = Exclude<SagaEventType, 'BookingCreated'>;
const OTHERS: Other[] = ['PaymentSucceeded', 'PaymentFailed', 'BookingCancelled'];
const STOCK = 10;
const QUANTITY = 3;

let t: TestTables;
let publisher: RecordingPublisher;
let deps: Dependencies & { defaultTtlSeconds: number };

beforeAll(async () => {
  t = await createTestTables('proof');
  publisher = new RecordingPublisher();
  deps = {
    store: t.store,
    publisher,
    clock: new ManualClock(new Date()),
    log: silentLog,
    defaultTtlSeconds: 900,
  };
});
afterAll(async () => {
  await t.drop();
});

const HANDLERS = {
  BookingCreated: onBookingCreated,
  PaymentSucceeded: onPaymentSucceeded,
  PaymentFailed: onPaymentFailed,
  BookingCancelled: onBookingCancelled,
} as const;

/** Every distinct sequence of `a` BookingCreated and `b` other deliveries. */
function interleavings(a: number, b: number): ('C' | 'X')[][] {
  if (a === 0) return [Array(b).fill('X')];
  if (b === 0) return [Array(a).fill('C')];
  return [
    ...interleavings(a - 1, b).map((s) => ['C' as const, ...s]),
    ...interleavings(a, b - 1).map((s) => ['X' as const, ...s]),
  ];
}

/** Expected end state and event ids: in order (BookingCreated effective first) or not. */
function expectation(other: Other, bookingId: string, bookingFirst: boolean) {
  if (other === 'PaymentSucceeded') {
    return {
      status: 'CONFIRMED',
      tombstone: false,
      item: { availableQuantity: STOCK - QUANTITY, reservedQuantity: 0, confirmedQuantity: QUANTITY },
      ids: [eventIdFor(bookingId, 'RESERVED'), eventIdFor(bookingId, 'CONFIRMED')],
    };
  }
  const reason = other === 'PaymentFailed' ? 'PAYMENT_FAILED' : 'CANCELLED';
  return bookingFirst
    ? {
        status: 'RELEASED',
        tombstone: false,
        reason,
        item: { availableQuantity: STOCK, reservedQuantity: 0, confirmedQuantity: 0 },
        ids: [eventIdFor(bookingId, 'RESERVED'), eventIdFor(bookingId, 'RELEASED')],
      }
    : {
        status: 'RELEASED',
        tombstone: true,
        reason,
        item: { availableQuantity: STOCK, reservedQuantity: 0, confirmedQuantity: 0 },
        ids: [eventIdFor(bookingId, 'RESERVATION_FAILED:BOOKING_RELEASED')],
      };
}

/** Delivers `sequence` in consecutive groups; deliveries inside a group run concurrently. */
async function deliver(other: Other, sequence: ('C' | 'X')[], groups: number[]) {
  const bookingId = randomUUID();
  const itemId = `P-${bookingId.slice(0, 8)}`;
  await seedItem(t.doc, t.tableName, itemId, STOCK);
  const items = [{ itemId, quantity: QUANTITY }];
  let index = 0;
  for (const size of groups) {
    const group = sequence.slice(index, index + size);
    index += size;
    await Promise.all(
      group.map((kind) => {
        const type: SagaEventType = kind === 'C' ? 'BookingCreated' : other;
        return HANDLERS[type](sampleFor(type, bookingId, items).incoming as never, deps);
      }),
    );
  }
  return { bookingId, itemId, firstGroup: sequence.slice(0, groups[0]) };
}

async function assess(other: Other, run: Awaited<ReturnType<typeof deliver>>) {
  const { reservation } = await t.store.getBooking(run.bookingId);
  const item = await t.store.getItem(run.itemId);
  const ids = new Set(
    publisher.published
      .filter((e) => e.detail.data.bookingId === run.bookingId)
      .map((e) => e.detail.metadata.eventId),
  );
  const candidates = run.firstGroup.every((k) => k === 'C')
    ? [true]
    : run.firstGroup.every((k) => k === 'X')
      ? [false]
      : [true, false];
  const matches = candidates.some((bookingFirst) => {
    const want = expectation(other, run.bookingId, bookingFirst);
    return (
      reservation?.status === want.status &&
      Boolean(reservation?.tombstone) === want.tombstone &&
      (want.reason === undefined || reservation?.releaseReason === want.reason) &&
      item?.availableQuantity === want.item.availableQuantity &&
      item?.reservedQuantity === want.item.reservedQuantity &&
      item?.confirmedQuantity === want.item.confirmedQuantity &&
      ids.size === want.ids.length &&
      want.ids.every((id) => ids.has(id))
    );
  });
  if (!matches) {
    throw new Error(
      `unexpected end state for ${other} ${JSON.stringify(run.firstGroup)}: ${JSON.stringify({ reservation, item, ids: [...ids] })}`,
    );
  }
  expect(
    item && item.totalQuantity === item.availableQuantity + item.reservedQuantity + item.confirmedQuantity,
  ).toBe(true);
}

const covered = { runs: 0, deliveries: 0, concurrentRuns: 0 };

describe.each(OTHERS)('BookingCreated with %s', (other) => {
  const cases = [1, 2, 3].flatMap((a) => [1, 2, 3].flatMap((b) => interleavings(a, b)));

  it(`every ordering of 1-3 deliveries each (${cases.length} orderings), one at a time`, async () => {
    for (const sequence of cases) {
      const run = await deliver(
        other,
        sequence,
        sequence.map(() => 1),
      );
      await assess(other, run);
      covered.runs++;
      covered.deliveries += sequence.length;
    }
  });

  it('every ordering again, grouped at random into concurrent deliveries', async () => {
    const groupings = fc.sample(fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 6, maxLength: 6 }), {
      numRuns: cases.length,
      seed: 20261124,
    });
    for (const [n, sequence] of cases.entries()) {
      const sizes: number[] = [];
      let left = sequence.length;
      for (const size of groupings[n] ?? []) {
        if (left === 0) break;
        sizes.push(Math.min(size, left));
        left -= Math.min(size, left);
      }
      const run = await deliver(other, sequence, sizes);
      await assess(other, run);
      covered.runs++;
      covered.concurrentRuns += sizes.some((s) => s > 1) ? 1 : 0;
      covered.deliveries += sequence.length;
    }
  });
});

afterAll(() => {
  console.info(
    `ordering proof: ${covered.runs} runs (${covered.concurrentRuns} with concurrent deliveries), ${covered.deliveries} deliveries`,
  );
});
