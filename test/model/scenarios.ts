import { ManualClock } from '../../shared/adapters/clock.ts';
import {
  onBookingCancelled,
  onBookingCreated,
  onPaymentFailed,
  onPaymentSucceeded,
} from '../../shared/consumers/saga-handlers.ts';
import { eventIdFor } from '../../shared/domain/event-ids.ts';
import type { Reservation } from '../../shared/domain/model.ts';
import type { Dependencies, InventoryStore, OutgoingEvent, StoredItem } from '../../shared/domain/ports.ts';
import {
  applyBookingCreated,
  expireDueReservations,
  serveWaitlist,
} from '../../shared/domain/use-cases/index.ts';
import { RecordingPublisher, silentLog } from '../support/fakes.ts';
import { MemoryInventoryStore } from '../support/memory-store.ts';
import { NO_PROJECTION, type StreamedStore, streamedStore } from '../support/stream.ts';
import { held, type Input, initialState, type ModelState, type Stock, step } from './reference-model.ts';

/** The saga inputs of one booking the model checks: six distinct ones. */
export const INPUTS = {
  BC: { kind: 'BookingCreated' },
  PS1: { kind: 'PaymentSucceeded', paymentId: 'pay-1' },
  PS2: { kind: 'PaymentSucceeded', paymentId: 'pay-2' },
  PF: { kind: 'PaymentFailed' },
  CX: { kind: 'BookingCancelled' },
  TICK: { kind: 'HoldExpired' },
  FREE: { kind: 'UnitsFreed' },
} as const satisfies Record<string, Input>;
export type InputName = keyof typeof INPUTS;
/** The inputs of `ample` and `short` stock (nothing else holds units, so none are freed). */
export const INPUT_NAMES: InputName[] = ['BC', 'PS1', 'PS2', 'PF', 'CX', 'TICK'];
/** The inputs of `waitlist` stock: the blocker's unit freed instead of a second payment. */
export const WAITLIST_INPUT_NAMES: InputName[] = ['BC', 'PS1', 'PF', 'CX', 'TICK', 'FREE'];
export const inputNamesOf = (stock: Stock): InputName[] =>
  stock === 'waitlist' ? WAITLIST_INPUT_NAMES : INPUT_NAMES;

export const ITEM = 'ROOM-1';
export const QUANTITY = 2;
export const TTL_SECONDS = 900;
/** Units on the shelf: enough for the booking, or one short. */
export const STOCK_TOTAL: Record<Stock, number> = {
  ample: QUANTITY,
  short: QUANTITY - 1,
  waitlist: QUANTITY,
};
/** `waitlist` stock: how long the booking may wait (less than one tick, so a tick ends it). */
export const MAX_WAIT_SECONDS = 600;
/** The other booking holding one unit in `waitlist` stock. */
export const BLOCKER = 'b10c4e00-0000-4000-8000-00000000b10c';

/** Every multiset of up to `maxDistinct` distinct inputs, each 1 or 2 times. */
export function multisets(maxDistinct: number, names: readonly InputName[] = INPUT_NAMES): InputName[][] {
  const out: InputName[][] = [];
  const rec = (start: number, acc: InputName[], distinct: number) => {
    out.push([...acc]);
    if (distinct === maxDistinct) return;
    for (let i = start; i < names.length; i++) {
      const name = names[i] as InputName;
      rec(i + 1, [...acc, name], distinct + 1);
      rec(i + 1, [...acc, name, name], distinct + 1);
    }
  };
  rec(0, [], 0);
  return out;
}

/** Every distinct ordering of a multiset. */
export function* orderings(items: readonly InputName[]): Generator<InputName[]> {
  const sorted = [...items].sort();
  const used = new Array<boolean>(sorted.length).fill(false);
  const acc: InputName[] = [];
  function* rec(): Generator<InputName[]> {
    if (acc.length === sorted.length) {
      yield [...acc];
      return;
    }
    for (let i = 0; i < sorted.length; i++) {
      if (used[i] || (i > 0 && sorted[i] === sorted[i - 1] && !used[i - 1])) continue;
      used[i] = true;
      acc.push(sorted[i] as InputName);
      yield* rec();
      acc.pop();
      used[i] = false;
    }
  }
  yield* rec();
}

/**
 * A harness: the real saga handlers and sweeper on a store, deliveries one at a time.
 * `publisher` receives what the store's change stream publishes (the store must be a
 * streamed store, test/support/stream.ts, to publish anything).
 */
export class SagaHarness {
  readonly clock = new ManualClock(new Date('2026-01-01T00:00:00.000Z'));
  readonly deps: Dependencies & { defaultTtlSeconds: number };
  #eventSeq = 0;

  constructor(
    readonly store: InventoryStore,
    readonly bookingId: string,
    readonly itemId = ITEM,
    readonly publisher = new RecordingPublisher(),
    readonly stock: Stock = 'ample',
  ) {
    const streamed = store as Partial<StreamedStore>;
    if (typeof streamed.publishTo === 'function') streamed.publishTo(publisher);
    this.deps = { store, clock: this.clock, log: silentLog, defaultTtlSeconds: TTL_SECONDS };
  }

  /** `waitlist` stock: the blocker takes its unit before anything is delivered. */
  async setUp(): Promise<void> {
    if (this.stock !== 'waitlist') return;
    await applyBookingCreated(
      { bookingId: BLOCKER, items: [{ itemId: this.itemId, quantity: 1 }], correlationId: 'blocker' },
      this.deps,
    );
  }

  /** Units the blocker holds now (reserved). */
  async othersHeld(): Promise<number> {
    if (this.stock !== 'waitlist') return 0;
    const { reservation } = await this.store.getBooking(BLOCKER);
    return reservation?.status === 'RESERVED' ? 1 : 0;
  }

  /** Delivers one input as its consumer would (a redelivery repeats the event id). */
  async deliver(name: InputName, eventId = this.eventIdOf(name)): Promise<void> {
    const input = INPUTS[name];
    const metadata = {
      eventId,
      correlationId: `corr-${this.bookingId}`,
      occurredAt: this.clock.now().toISOString(),
      schemaVersion: '1',
    };
    const envelope = { detailType: input.kind, source: 'test', metadata };
    switch (input.kind) {
      case 'BookingCreated':
        await onBookingCreated(
          {
            ...envelope,
            data: {
              bookingId: this.bookingId,
              items: [{ itemId: this.itemId, quantity: QUANTITY }],
              ...(this.stock === 'waitlist' ? { waitlist: { maxWaitSeconds: MAX_WAIT_SECONDS } } : {}),
            },
          },
          this.deps,
        );
        return;
      case 'PaymentSucceeded':
        await onPaymentSucceeded(
          { ...envelope, data: { bookingId: this.bookingId, paymentId: input.paymentId } },
          this.deps,
        );
        return;
      case 'PaymentFailed':
        await onPaymentFailed({ ...envelope, data: { bookingId: this.bookingId } }, this.deps);
        return;
      case 'BookingCancelled':
        await onBookingCancelled({ ...envelope, data: { bookingId: this.bookingId } }, this.deps);
        return;
      case 'HoldExpired':
        // Time has passed beyond every hold (the runner moves the clock); the sweeper runs,
        // then the waitlist server (the stream brings it the items the sweeper freed).
        await expireDueReservations({ limit: 100 }, this.deps);
        await serveWaitlist(this.itemId, this.deps);
        return;
      case 'UnitsFreed':
        // The blocker is cancelled (once; a redelivery replays), then the waitlist server runs.
        await onBookingCancelled({ ...envelope, data: { bookingId: BLOCKER } }, this.deps);
        await serveWaitlist(this.itemId, this.deps);
        return;
    }
  }

  eventIdOf(name: InputName): string {
    return eventIdFor(this.bookingId, `incoming:${name}`, this.#eventSeq);
  }
}

export interface RunResult {
  model: ModelState;
  /** The inputs, grouped as they were delivered (a group's deliveries run concurrently). */
  groups: InputName[][];
  /** Event ids published by each group, in order. */
  publishedPerGroup: string[][];
  published: Set<string>;
  events: OutgoingEvent[];
  /** The item and the booking's record at the end. */
  item?: StoredItem;
  record?: Reservation;
  /** Units reserved + confirmed on the item by this booking after each group. */
  heldAfter: number[];
  /** Units other bookings (the blocker) still hold at the end (reserved). */
  othersHeld: number;
}

/**
 * Delivers `groups` in order (the deliveries of one group concurrently) through the real
 * saga handlers on `store`, whose item `itemId` holds `STOCK_TOTAL[stock]` units.
 */
export async function runGroups(
  groups: readonly (readonly InputName[])[],
  stock: Stock,
  bookingId: string,
  store: InventoryStore,
  itemId = ITEM,
): Promise<RunResult> {
  const harness = new SagaHarness(store, bookingId, itemId, new RecordingPublisher(), stock);
  await harness.setUp();
  let model = initialState();
  const publishedPerGroup: string[][] = [];
  const heldAfter: number[] = [];
  for (const group of groups) {
    const before = harness.publisher.published.length;
    // Time moves once per group, before its deliveries, as the sweeper would see it.
    if (group.includes('TICK')) harness.clock.advance((TTL_SECONDS + 1) * 1000);
    await Promise.all(group.map((name) => harness.deliver(name)));
    publishedPerGroup.push(idsOf(harness.publisher.published.slice(before), bookingId));
    const item = await store.getItem(itemId);
    heldAfter.push(
      (item?.reservedQuantity ?? 0) + (item?.confirmedQuantity ?? 0) - (await harness.othersHeld()),
    );
    for (const name of group) model = step(model, INPUTS[name], stock, bookingId).next;
  }
  const item = await store.getItem(itemId);
  const { reservation } = await store.getBooking(bookingId);
  return {
    model,
    groups: groups.map((g) => [...g]),
    publishedPerGroup,
    published: new Set(idsOf(harness.publisher.published, bookingId)),
    events: harness.publisher.published.filter((e) => bookingOf(e) === bookingId),
    ...(item ? { item } : {}),
    ...(reservation ? { record: reservation } : {}),
    heldAfter,
    othersHeld: await harness.othersHeld(),
  };
}

/** Runs one ordering, one delivery at a time, on a fresh in-memory store. */
export function runOrdering(
  order: readonly InputName[],
  stock: Stock,
  bookingId: string,
): Promise<RunResult> {
  const store = new MemoryInventoryStore();
  store.seed(ITEM, STOCK_TOTAL[stock]);
  return runGroups(
    order.map((name) => [name]),
    stock,
    bookingId,
    streamedStore(store, store, NO_PROJECTION),
  );
}

/** What the store holds, as the model describes it. */
export function observed(result: RunResult) {
  const { record, item } = result;
  return {
    phase: record?.status ?? 'NONE',
    cancelled: record?.cancelled === true,
    payments: sortedKeys(record?.payments ?? {}),
    held:
      (item?.reservedQuantity ?? 0) - result.othersHeld > 0
        ? 'reserved'
        : (item?.confirmedQuantity ?? 0) > 0
          ? 'confirmed'
          : ('none' as const),
    answers: [...result.published].sort(),
  };
}

export function expected(model: ModelState) {
  return {
    phase: model.phase,
    cancelled: model.cancelled,
    payments: sortedKeys(model.payments),
    held: held(model),
    answers: [...model.answers].sort(),
  };
}

/** The same object with its keys in order (stored maps come back in any order). */
function sortedKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** On a shared table the sweeper also expires other runs' holds: keep this booking's events. */
function bookingOf(event: OutgoingEvent): string | undefined {
  return (event.detail.data as { bookingId?: string }).bookingId;
}

function idsOf(events: readonly OutgoingEvent[], bookingId: string): string[] {
  return events.filter((e) => bookingOf(e) === bookingId).map((e) => e.detail.metadata.eventId);
}
