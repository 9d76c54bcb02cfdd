import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/adapters/clock.ts';
import { serveChangedItems } from '../../shared/adapters/waitlist-changes.ts';
import { WAITLIST_OVERTAKE_SECONDS } from '../../shared/domain/limits.ts';
import { applyBookingCreated, releaseBooking } from '../../shared/domain/use-cases/index.ts';
import { silentLog } from '../support/fakes.ts';
import { MemoryInventoryStore } from '../support/memory-store.ts';
import { BOOKINGS, memoryBackend, runWaitlistProperty } from '../support/waitlist-property.ts';

/**
 * The waitlist with many bookings and scarce stock on the in-memory store (the rules it
 * checks: test/support/waitlist-property.ts). The same property runs on DynamoDB Local in
 * test/integration/saga/waitlist.test.ts.
 */

const RUNS = Number(process.env.WAITLIST_RUNS ?? 1000);
const SEED = Number(process.env.WAITLIST_SEED ?? Date.now() % 1_000_000);

describe('waitlist: many bookings, scarce stock, random operations', () => {
  it(`keeps its rules after every step (${RUNS} runs, seed ${SEED})`, async () => {
    const totals = await runWaitlistProperty(memoryBackend, { runs: RUNS, seed: SEED, maxSteps: 60 });
    console.info(`waitlist property: ${RUNS} runs (seed ${SEED}), ${JSON.stringify(totals)}`);
    // The runs exercise what they claim to check.
    expect(totals.waitlisted).toBeGreaterThan(RUNS / 4);
    expect(totals.served).toBeGreaterThan(RUNS / 20);
    expect(totals.expired).toBeGreaterThan(0);
    expect(totals.left).toBeGreaterThan(0);
  }, 300_000);
});

describe('waitlist: no walk overtakes a long waiter on another item', () => {
  it('a booking behind a long waiter on one item is not served from another item’s freed units', async () => {
    const store = new MemoryInventoryStore();
    store.seed('X', 1);
    store.seed('Z', 3);
    const clock = new ManualClock('2026-01-01T00:00:00.000Z');
    const d = { store, clock, log: silentLog, defaultTtlSeconds: 900 };
    const wait = { maxWaitSeconds: 3600, priority: 'standard' } as const;
    const [holderZ, holderX, longWaiter, behind] = BOOKINGS as [string, string, string, string];
    await applyBookingCreated(
      { bookingId: holderZ, items: [{ itemId: 'Z', quantity: 2 }], correlationId: 'a' },
      d,
    );
    await applyBookingCreated(
      { bookingId: holderX, items: [{ itemId: 'X', quantity: 1 }], correlationId: 'b' },
      d,
    );
    // Z has 1 unit left; the long waiter wants 2 and waits.
    await applyBookingCreated(
      { bookingId: longWaiter, items: [{ itemId: 'Z', quantity: 2 }], correlationId: 'c', waitlist: wait },
      d,
    );
    clock.advance((WAITLIST_OVERTAKE_SECONDS + 1) * 1000);
    // Behind it on Z, a booking of X and Z waits (X is held).
    await applyBookingCreated(
      {
        bookingId: behind,
        items: [
          { itemId: 'X', quantity: 1 },
          { itemId: 'Z', quantity: 1 },
        ],
        correlationId: 'd',
        waitlist: wait,
      },
      d,
    );
    await store.drain();
    // X is freed: X's walk finds the booking behind; its Z unit would fit, but the long
    // waiter on Z is ahead of it there, so it is not served.
    await releaseBooking({ bookingId: holderX, reason: 'CANCELLED', correlationId: 'e' }, d);
    await serveChangedItems(await store.drain(), d);
    expect(store.bookings.get(behind)?.status).toBe('WAITLISTED');
    // Z is freed: the long waiter first, then the booking behind it.
    await releaseBooking({ bookingId: holderZ, reason: 'CANCELLED', correlationId: 'f' }, d);
    await serveChangedItems(await store.drain(), d);
    expect(store.bookings.get(longWaiter)?.status).toBe('RESERVED');
    expect(store.bookings.get(behind)?.status).toBe('RESERVED');
  });
});

describe('waitlist: no walk overtakes, on another item, a booking that could be served now', () => {
  it('a premium booking waiting on one item is not passed by a booking served from another item’s freed units', async () => {
    const store = new MemoryInventoryStore();
    store.seed('A', 2);
    store.seed('B', 1);
    const clock = new ManualClock('2026-01-01T00:00:00.000Z');
    const d = { store, clock, log: silentLog, defaultTtlSeconds: 900 };
    const [holdA, holdB, first, second] = BOOKINGS as [string, string, string, string];
    await applyBookingCreated(
      { bookingId: holdA, items: [{ itemId: 'A', quantity: 1 }], correlationId: 'a' },
      d,
    );
    await applyBookingCreated(
      { bookingId: holdB, items: [{ itemId: 'B', quantity: 1 }], correlationId: 'b' },
      d,
    );
    // A standard booking of A and B waits (B is held).
    await applyBookingCreated(
      {
        bookingId: second,
        items: [
          { itemId: 'A', quantity: 1 },
          { itemId: 'B', quantity: 1 },
        ],
        correlationId: 'c',
        waitlist: { maxWaitSeconds: 3600, priority: 'standard' },
      },
      d,
    );
    await serveChangedItems(await store.drain(), d);
    // A premium booking of A joins: A's one free unit is asked for by the standard booking.
    await applyBookingCreated(
      {
        bookingId: first,
        items: [{ itemId: 'A', quantity: 1 }],
        correlationId: 'd',
        waitlist: { maxWaitSeconds: 3600, priority: 'premium' },
      },
      d,
    );
    const joined = await store.drain();
    await releaseBooking({ bookingId: holdB, reason: 'CANCELLED', correlationId: 'e' }, d);
    // The server gets B's change first: B's walk finds the standard booking, which fits,
    // but the premium one ahead of it on A fits too: it is served first, by A's walk.
    await serveChangedItems([...(await store.drain()), ...joined], d);
    expect(store.bookings.get(first)?.status).toBe('RESERVED');
    expect(store.bookings.get(second)?.status).toBe('WAITLISTED');
  });
});
