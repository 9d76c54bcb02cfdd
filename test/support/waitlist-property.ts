import fc from 'fast-check';
import type { ChangeRecord } from '../../shared/adapters/change-stream.ts';
import { publishChanges } from '../../shared/adapters/change-stream.ts';
import { ManualClock } from '../../shared/adapters/clock.ts';
import { serveChangedItems } from '../../shared/adapters/waitlist-changes.ts';
import { WAITLIST_OVERTAKE_SECONDS, WAITLIST_PRIORITIES } from '../../shared/domain/limits.ts';
import type { Reservation } from '../../shared/domain/model.ts';
import type { Dependencies, InventoryStore, StoredItem } from '../../shared/domain/ports.ts';
import {
  adjustStock,
  applyBookingCreated,
  confirmBooking,
  expireDueReservations,
  releaseBooking,
} from '../../shared/domain/use-cases/index.ts';
import { RecordingPublisher, silentLog } from './fakes.ts';
import { MemoryInventoryStore } from './memory-store.ts';

/**
 * The waitlist property, run on any store (test/model on the in-memory store,
 * test/integration on DynamoDB Local): random sequences of reserves (some asking to wait,
 * some premium), cancellations, payments, failed payments, time passing (the sweeper),
 * replenishment and runs of the waitlist server (fed by the store's change stream, so units
 * freed since its last run are what it serves), through the real use cases. After every
 * step:
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

export const ITEMS = { A: 3, B: 2 } as const;
type ItemId = keyof typeof ITEMS;
export const BOOKINGS = Array.from(
  { length: 10 },
  (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
);

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

/** What the checks read of a store: items, booking records, waitlist entries by item. */
export interface View {
  items: Map<string, StoredItem>;
  bookings: Map<string, Reservation>;
  entries: Map<string, { bookingId: string; quantity: number }[]>;
}

/** A store under test: its ports, its change stream and a way to read all of it. */
export interface Backend {
  store: InventoryStore;
  /** Seeds ITEMS, all available. */
  seed(): Promise<void>;
  drain(): Promise<ChangeRecord[]>;
  view(): Promise<View>;
  close?(): Promise<void>;
}

interface World {
  backend: Backend;
  clock: ManualClock;
  deps: Dependencies & { defaultTtlSeconds: number };
  bus: RecordingPublisher;
  /** Changes not yet seen by the waitlist server (the stream, as its mapping reads it). */
  pending: ChangeRecord[];
  stats: { waitlisted: number; served: number; expired: number; left: number; fresh: number };
}

function world(backend: Backend): World {
  const clock = new ManualClock('2026-01-01T00:00:00.000Z');
  return {
    backend,
    clock,
    deps: { store: backend.store, clock, log: silentLog, defaultTtlSeconds: 900 },
    bus: new RecordingPublisher(),
    pending: [],
    stats: { waitlisted: 0, served: 0, expired: 0, left: 0, fresh: 0 },
  };
}

/** The in-memory store as a backend. */
export function memoryBackend(): Backend {
  const store = new MemoryInventoryStore();
  return {
    store,
    async seed() {
      for (const [id, total] of Object.entries(ITEMS)) store.seed(id, total);
    },
    drain: () => store.drain(),
    async view() {
      return {
        items: new Map([...store.items].map(([id, item]) => [id, { ...item }])),
        bookings: new Map([...store.bookings].map(([id, r]) => [id, structuredClone(r)])),
        entries: new Map(
          [...store.waitlists].map(([id, list]) => [
            id,
            list.map((e) => ({ bookingId: e.bookingId, quantity: e.quantity })),
          ]),
        ),
      };
    },
  };
}

const rank = (r: Reservation) =>
  `${WAITLIST_PRIORITIES.indexOf(r.waitlist?.priority ?? 'standard')}#${r.waitlist?.since}#${r.bookingId}`;

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

function checkState(v: View): string[] {
  const broken: string[] = [];
  const records = [...v.bookings.values()];
  for (const [id, item] of v.items) {
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
    const entries = (v.entries.get(id) ?? []).map((e) => `${e.bookingId}:${e.quantity}`).sort();
    const waiting = records
      .filter((r) => r.status === 'WAITLISTED')
      .flatMap((r) => r.items.filter((l) => l.itemId === id).map((l) => `${r.bookingId}:${l.quantity}`))
      .sort();
    if (JSON.stringify(entries) !== JSON.stringify(waiting))
      broken.push(`${id}: entries ${entries} != ${waiting}`);
  }
  return broken;
}

function checkStep(w: World, op: Op, before: View, after: View): string[] {
  const broken: string[] = [];
  const now = w.clock.now().getTime();
  for (const [id, r] of after.bookings) {
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
      for (const other of after.bookings.values()) {
        if (other.status !== 'WAITLISTED' || !other.items.some((l) => l.itemId === line.itemId)) continue;
        if (rank(other) >= rank(r)) continue;
        if (fits(other, after) && !heldByLongWaiter(other, after, now)) {
          broken.push(`${id} served on ${line.itemId} before ${other.bookingId}, which fits`);
        }
        const since = Date.parse(other.waitlist?.since ?? '');
        if (now - since >= WAITLIST_OVERTAKE_SECONDS * 1000) {
          broken.push(`${id} overtook ${other.bookingId} on ${line.itemId} after its overtake window`);
        }
      }
    }
  }
  return broken;
}

/**
 * With nothing left for the server: a waiting booking whose lines are all available must
 * have, on one of its items, a booking ahead of it that has waited the overtake window
 * (the units are kept for that one).
 */
function checkQuiescent(w: World, v: View): string[] {
  const broken: string[] = [];
  const now = w.clock.now().getTime();
  for (const r of v.bookings.values()) {
    if (r.status !== 'WAITLISTED' || !fits(r, v) || heldByLongWaiter(r, v, now)) continue;
    broken.push(`${r.bookingId} waits though all its lines are available`);
  }
  return broken;
}

/** A waiting booking ahead of `r` on one of its items has waited the overtake window. */
function heldByLongWaiter(r: Reservation, v: View, now: number): boolean {
  return [...v.bookings.values()].some(
    (o) =>
      o.status === 'WAITLISTED' &&
      rank(o) < rank(r) &&
      o.items.some((l) => r.items.some((m) => m.itemId === l.itemId)) &&
      now - Date.parse(o.waitlist?.since ?? '') >= WAITLIST_OVERTAKE_SECONDS * 1000,
  );
}

const fits = (r: Reservation, v: View) =>
  r.items.every((l) => (v.items.get(l.itemId)?.availableQuantity ?? 0) >= l.quantity);

/** Every booking that waited has exactly one final answer to its BookingCreated. */
function checkAnswers(w: World, v: View): string[] {
  const broken: string[] = [];
  for (const r of v.bookings.values()) {
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

/**
 * Runs the property: `runs` random sequences (seeded) against fresh backends; throws the
 * first broken rule with the step that broke it. Returns what the runs exercised.
 */
export async function runWaitlistProperty(
  makeBackend: () => Promise<Backend> | Backend,
  options: { runs: number; seed: number; maxSteps: number },
) {
  const totals = { steps: 0, waitlisted: 0, served: 0, expired: 0, left: 0, fresh: 0 };
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: options.maxSteps }), async (ops) => {
      const backend = await makeBackend();
      try {
        await backend.seed();
        await backend.drain();
        const w = world(backend);
        const step = async (op: Op) => {
          const before = await backend.view();
          await apply(w, op);
          const changes = await backend.drain();
          w.pending.push(...changes);
          await publishChanges(changes, w.bus);
          const after = await backend.view();
          const broken = [...checkState(after), ...checkStep(w, op, before, after)];
          if (broken.length > 0) throw new Error(`after ${JSON.stringify(op)}: ${broken.join('; ')}`);
        };
        for (const op of ops) await step(op);
        // Quiescence: the server runs until the stream brings it nothing new; then nobody
        // waits while all its lines are available, unless a long waiter is ahead of it.
        for (let round = 0; w.pending.length > 0 && round < 20; round++) await step({ op: 'serve' });
        const idle = checkQuiescent(w, await backend.view());
        if (idle.length > 0) throw new Error(`at rest: ${idle.join('; ')}`);
        // The end: past every maxWait (and hold), the sweeper and the server run.
        await step({ op: 'serve' });
        await step({ op: 'time', seconds: 86_400 });
        await step({ op: 'serve' });
        const broken = checkAnswers(w, await backend.view());
        if (broken.length > 0) throw new Error(broken.join('; '));
        totals.steps += ops.length;
        for (const k of ['waitlisted', 'served', 'expired', 'left', 'fresh'] as const)
          totals[k] += w.stats[k];
      } finally {
        await backend.close?.();
      }
    }),
    { numRuns: options.runs, seed: options.seed },
  );
  return totals;
}
