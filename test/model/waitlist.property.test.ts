import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { publishChanges } from '../../shared/adapters/change-stream.ts';
import { ManualClock } from '../../shared/adapters/clock.ts';
import { serveChangedItems } from '../../shared/adapters/waitlist-changes.ts';
import { WAITLIST_OVERTAKE_SECONDS, WAITLIST_PRIORITIES } from '../../shared/domain/limits.ts';
import type { Reservation } from '../../shared/domain/model.ts';
import type { Dependencies, StoredItem } from '../../shared/domain/ports.ts';
import {
  adjustStock,
  applyBookingCreated,
  confirmBooking,
  expireDueReservations,
  releaseBooking,
} from '../../shared/domain/use-cases/index.ts';
import { RecordingPublisher, silentLog } from '../support/fakes.ts';
import { MemoryInventoryStore } from '../support/memory-store.ts';

/**
 * The waitlist with many bookings and scarce stock: random sequences of reserves (some
 * asking to wait, some premium), cancellations, payments, failed payments, time passing
 * (the sweeper), replenishment and runs of the waitlist server (fed by the store's change
 * stream, so units freed since its last run are what it serves), through the real use
 * cases on the in-memory store. After every step:
 * - the invariant, and counters equal to the records: reserved/confirmed/waitlisted units
 *   are exactly those of RESERVED/CONFIRMED/WAITLISTED bookings (so no oversell, no
 *   partial serve, waitlisted units are not held), and the waitlist entries are exactly
 *   the waiting bookings' lines;
 * - nobody jumps the queue: a booking reserved directly took only units the waitlist did
 *   not ask for;
 * - priority order whenever a booking is served: no booking ahead of it on one of its items
 *   (premium first, then first come) still waits while it would fit now;
 * - no overtaking of a long waiter: no booking ahead of a served one on one of its items
 *   still waits after waiting WAITLIST_OVERTAKE_SECONDS;
 * and at the end (time past every maxWait, the sweeper and the server run) every booking
 * that waited has been answered exactly once: served (InventoryReserved fromWaitlist),
 * expired, or released (InventoryReservationFailed).
 */

const ITEMS = { A: 3, B: 2 } as const;
type ItemId = keyof typeof ITEMS;
const BOOKINGS = Array.from(
  { length: 10 },
  (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
);
const RUNS = Number(process.env.WAITLIST_RUNS ?? 1000);
const SEED = Number(process.env.WAITLIST_SEED ?? Date.now() % 1_000_000);

type Op =
  | {
      op: 'reserve';
      b: number;
      lines: Partial<Record<ItemId, number>>;
      wait?: number;
      premium: boolean;
    }
  | { op: 'cancel'; b: number }
  | { op: 'pay'; b: number }
  | { op: 'payFail'; b: number }
  | { op: 'time'; seconds: number }
  | { op: 'replenish'; item: ItemId; units: number }
  | { op: 'serve' };

const booking = fc.integer({ min: 0, max: BOOKINGS.length - 1 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('reserve' as const),
      b: booking,
      lines: fc
        .record({ A: fc.integer({ min: 0, max: 3 }), B: fc.integer({ min: 0, max: 2 }) })
        .map((l) =>
          l.A + l.B === 0 ? { A: 1 } : Object.fromEntries(Object.entries(l).filter(([, q]) => q > 0)),
        ),
      wait: fc.option(fc.integer({ min: 200, max: 2000 }), { nil: undefined }),
      premium: fc.boolean(),
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('cancel' as const), b: booking }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('pay' as const), b: booking }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('payFail' as const), b: booking }) },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('time' as const), seconds: fc.integer({ min: 20, max: 400 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('replenish' as const),
      item: fc.constantFrom<ItemId>('A', 'B'),
      units: fc.integer({ min: 1, max: 2 }),
    }),
  },
  { weight: 4, arbitrary: fc.constant({ op: 'serve' as const }) },
);

interface World {
  store: MemoryInventoryStore;
  clock: ManualClock;
  deps: Dependencies & { defaultTtlSeconds: number };
  bus: RecordingPublisher;
  /** Changes not yet seen by the waitlist server (the stream, as its mapping reads it). */
  pending: Awaited<ReturnType<MemoryInventoryStore['drain']>>;
  stats: { waitlisted: number; served: number; expired: number; left: number; fresh: number };
}

function world(): World {
  const store = new MemoryInventoryStore();
  for (const [id, total] of Object.entries(ITEMS)) store.seed(id, total);
  const clock = new ManualClock('2026-01-01T00:00:00.000Z');
  return {
    store,
    clock,
    deps: { store, clock, log: silentLog, defaultTtlSeconds: 900 },
    bus: new RecordingPublisher(),
    pending: [],
    stats: { waitlisted: 0, served: 0, expired: 0, left: 0, fresh: 0 },
  };
}

const rank = (r: Reservation) =>
  `${WAITLIST_PRIORITIES.indexOf(r.waitlist?.priority ?? 'standard')}#${r.waitlist?.since}#${r.bookingId}`;
const snapshot = (w: World) => ({
  items: new Map([...w.store.items].map(([id, item]) => [id, { ...item }])),
  bookings: new Map([...w.store.bookings].map(([id, r]) => [id, structuredClone(r)])),
});

async function apply(w: World, op: Op): Promise<void> {
  const corr = { correlationId: `c-${Math.random()}` };
  switch (op.op) {
    case 'reserve': {
      const items = Object.entries(op.lines).map(([itemId, quantity]) => ({
        itemId,
        quantity: quantity as number,
      }));
      await applyBookingCreated(
        {
          bookingId: BOOKINGS[op.b] as string,
          items,
          ...corr,
          ...(op.wait
            ? { waitlist: { maxWaitSeconds: op.wait, priority: op.premium ? 'premium' : 'standard' } }
            : {}),
        },
        w.deps,
      );
      return;
    }
    case 'cancel':
      await releaseBooking({ bookingId: BOOKINGS[op.b] as string, reason: 'CANCELLED', ...corr }, w.deps);
      return;
    case 'payFail':
      await releaseBooking(
        { bookingId: BOOKINGS[op.b] as string, reason: 'PAYMENT_FAILED', ...corr },
        w.deps,
      );
      return;
    case 'pay':
      await confirmBooking(
        { bookingId: BOOKINGS[op.b] as string, paymentId: `pay-${op.b}`, ...corr },
        w.deps,
      );
      return;
    case 'time':
      w.clock.advance(op.seconds * 1000);
      await expireDueReservations({ limit: 100 }, w.deps);
      return;
    case 'replenish':
      await adjustStock({ itemId: op.item, delta: op.units, reason: 'restock', ...corr }, w.deps);
      return;
    case 'serve': {
      const changes = w.pending;
      w.pending = [];
      await serveChangedItems(changes, w.deps);
      return;
    }
  }
}

function checkState(w: World): string[] {
  const broken: string[] = [];
  const records = [...w.store.bookings.values()];
  for (const [id, item] of w.store.items) {
    const sum = (status: string) =>
      records
        .filter((r) => r.status === status)
        .reduce((n, r) => n + (r.items.find((l) => l.itemId === id)?.quantity ?? 0), 0);
    const { totalQuantity: t, availableQuantity: a, reservedQuantity: r, confirmedQuantity: c } = item;
    if (t !== a + r + c || a < 0 || r < 0 || c < 0) broken.push(`${id}: invariant ${t} != ${a}+${r}+${c}`);
    if (r !== sum('RESERVED')) broken.push(`${id}: reserved ${r} != held by RESERVED ${sum('RESERVED')}`);
    if (c !== sum('CONFIRMED')) broken.push(`${id}: confirmed ${c} != CONFIRMED ${sum('CONFIRMED')}`);
    if ((item.waitlistedQuantity ?? 0) !== sum('WAITLISTED')) {
      broken.push(`${id}: waitlisted ${item.waitlistedQuantity} != WAITLISTED ${sum('WAITLISTED')}`);
    }
    const entries = (w.store.waitlists.get(id) ?? []).map((e) => `${e.bookingId}:${e.quantity}`).sort();
    const waiting = records
      .filter((r) => r.status === 'WAITLISTED')
      .flatMap((r) => r.items.filter((l) => l.itemId === id).map((l) => `${r.bookingId}:${l.quantity}`))
      .sort();
    if (JSON.stringify(entries) !== JSON.stringify(waiting))
      broken.push(`${id}: entries ${entries} != ${waiting}`);
  }
  return broken;
}

function checkStep(w: World, op: Op, before: ReturnType<typeof snapshot>): string[] {
  const broken: string[] = [];
  const now = w.clock.now().getTime();
  for (const [id, r] of w.store.bookings) {
    const was = before.bookings.get(id);
    const holds = r.status === 'RESERVED' || r.status === 'CONFIRMED';
    if (r.status === 'WAITLISTED' && was?.status !== 'WAITLISTED') w.stats.waitlisted++;
    // Reserved directly (not from the waitlist): only unclaimed units were taken.
    if (holds && op.op === 'reserve' && (!was || was.status === 'PENDING') && r.waitlist === undefined) {
      w.stats.fresh++;
      for (const line of r.items) {
        const item = before.items.get(line.itemId) as StoredItem;
        const unclaimed = item.availableQuantity - (item.waitlistedQuantity ?? 0);
        if (unclaimed < line.quantity) broken.push(`${id} jumped the queue on ${line.itemId}`);
      }
    }
    if (was?.status === 'WAITLISTED' && r.status !== 'WAITLISTED') {
      if (holds) w.stats.served++;
      else if (r.refusal === 'WAITLIST_EXPIRED') w.stats.expired++;
      else w.stats.left++;
    }
    if (!(holds && was?.status === 'WAITLISTED')) continue;
    if (op.op !== 'serve') broken.push(`${id} served outside a waitlist server run (${op.op})`);
    // Served: nobody ahead of it on its items still waits while fitting now, or after
    // waiting the overtake window.
    for (const line of r.items) {
      for (const other of w.store.bookings.values()) {
        if (other.status !== 'WAITLISTED' || !other.items.some((l) => l.itemId === line.itemId)) continue;
        if (rank(other) >= rank(r)) continue;
        const fits = other.items.every(
          (l) => (w.store.items.get(l.itemId)?.availableQuantity ?? 0) >= l.quantity,
        );
        if (fits) broken.push(`${id} served on ${line.itemId} before ${other.bookingId}, which fits`);
        const since = Date.parse(other.waitlist?.since ?? '');
        if (now - since >= WAITLIST_OVERTAKE_SECONDS * 1000) {
          broken.push(`${id} overtook ${other.bookingId} on ${line.itemId} after its overtake window`);
        }
      }
    }
  }
  return broken;
}

/** Every booking that waited has exactly one final answer to its BookingCreated. */
function checkAnswers(w: World): string[] {
  const broken: string[] = [];
  for (const r of w.store.bookings.values()) {
    if (!r.waitlist) continue;
    const mine = w.bus.published.filter(
      (e) => (e.detail.data as { bookingId?: string }).bookingId === r.bookingId,
    );
    const ids = (type: string, pred: (d: Record<string, unknown>) => boolean = () => true) =>
      new Set(
        mine
          .filter((e) => e.detailType === type && pred(e.detail.data))
          .map((e) => e.detail.metadata.eventId),
      ).size;
    const waited = ids('InventoryWaitlisted');
    const served = ids('InventoryReserved', (d) => d.fromWaitlist === true);
    const failed = ids('InventoryReservationFailed');
    if (r.status === 'WAITLISTED') broken.push(`${r.bookingId} still waits after every maxWait passed`);
    if (waited !== 1) broken.push(`${r.bookingId}: InventoryWaitlisted ${waited} times`);
    if (r.generation === 0 && served + failed !== 1) {
      broken.push(`${r.bookingId}: answered ${served} served + ${failed} failed`);
    }
  }
  return broken;
}

describe('waitlist: many bookings, scarce stock, random operations', () => {
  it(`keeps its rules after every step (${RUNS} runs, seed ${SEED})`, async () => {
    const totals = { steps: 0, waitlisted: 0, served: 0, expired: 0, left: 0, fresh: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 60 }), async (ops) => {
        const w = world();
        const step = async (op: Op) => {
          const before = snapshot(w);
          await apply(w, op);
          const changes = await w.store.drain();
          w.pending.push(...changes);
          await publishChanges(changes, w.bus);
          const broken = [...checkState(w), ...checkStep(w, op, before)];
          if (broken.length > 0) throw new Error(`after ${JSON.stringify(op)}: ${broken.join('; ')}`);
        };
        for (const op of ops) await step(op);
        // The end: past every maxWait (and hold), the sweeper and the server run.
        await step({ op: 'serve' });
        await step({ op: 'time', seconds: 86_400 });
        await step({ op: 'serve' });
        const broken = checkAnswers(w);
        if (broken.length > 0) throw new Error(broken.join('; '));
        totals.steps += ops.length;
        for (const k of ['waitlisted', 'served', 'expired', 'left', 'fresh'] as const)
          totals[k] += w.stats[k];
      }),
      { numRuns: RUNS, seed: SEED },
    );
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
