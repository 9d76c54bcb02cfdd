import { ManualClock } from '../../shared/adapters/clock.ts';
import {
  onBookingCancelled,
  onBookingCreated,
  onPaymentFailed,
  onPaymentSucceeded,
} from '../../shared/consumers/saga-handlers.ts';
import { eventIdFor } from '../../shared/domain/event-ids.ts';
import type { Dependencies, InventoryStore, OutgoingEvent } from '../../shared/domain/ports.ts';
import { expireDueReservations } from '../../shared/domain/use-cases/index.ts';
import { RecordingPublisher, silentLog } from '../support/fakes.ts';
import { MemoryInventoryStore } from '../support/memory-store.ts';
import { held, type Input, initialState, type ModelState, type Stock, step } from './reference-model.ts';

/** The saga inputs of one booking the model checks: six distinct ones. */
export const INPUTS = {
  BC: { kind: 'BookingCreated' },
  PS1: { kind: 'PaymentSucceeded', paymentId: 'pay-1' },
  PS2: { kind: 'PaymentSucceeded', paymentId: 'pay-2' },
  PF: { kind: 'PaymentFailed' },
  CX: { kind: 'BookingCancelled' },
  TICK: { kind: 'HoldExpired' },
} as const satisfies Record<string, Input>;
export type InputName = keyof typeof INPUTS;
export const INPUT_NAMES = Object.keys(INPUTS) as InputName[];

export const ITEM = 'ROOM-1';
export const QUANTITY = 2;
export const TTL_SECONDS = 900;
/** Units on the shelf: enough for the booking, or one short. */
export const STOCK_TOTAL: Record<Stock, number> = { ample: QUANTITY, short: QUANTITY - 1 };

/** Every multiset of up to `maxDistinct` distinct inputs, each 1 or 2 times. */
export function multisets(maxDistinct: number): InputName[][] {
  const out: InputName[][] = [];
  const rec = (start: number, acc: InputName[], distinct: number) => {
    out.push([...acc]);
    if (distinct === maxDistinct) return;
    for (let i = start; i < INPUT_NAMES.length; i++) {
      const name = INPUT_NAMES[i] as InputName;
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

export interface RunResult {
  model: ModelState;
  /** Event ids published by each delivery, in order. */
  publishedPerDelivery: string[][];
  published: Set<string>;
  events: OutgoingEvent[];
  store: MemoryInventoryStore;
  /** Units reserved + confirmed on the item after each delivery. */
  heldAfter: number[];
}

/** A harness: the real saga handlers and sweeper on a store, deliveries one at a time. */
export class SagaHarness {
  readonly publisher = new RecordingPublisher();
  readonly clock = new ManualClock(new Date('2026-01-01T00:00:00.000Z'));
  readonly deps: Dependencies & { defaultTtlSeconds: number };
  #eventSeq = 0;

  constructor(
    readonly store: InventoryStore,
    readonly bookingId: string,
  ) {
    this.deps = {
      store,
      publisher: this.publisher,
      clock: this.clock,
      log: silentLog,
      defaultTtlSeconds: TTL_SECONDS,
    };
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
          { ...envelope, data: { bookingId: this.bookingId, items: [{ itemId: ITEM, quantity: QUANTITY }] } },
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
        // Time passes beyond every hold; the sweeper runs.
        this.clock.advance((TTL_SECONDS + 1) * 1000);
        await expireDueReservations({ limit: 100 }, this.deps);
        return;
    }
  }

  eventIdOf(name: InputName): string {
    return eventIdFor(this.bookingId, `incoming:${name}`, this.#eventSeq);
  }
}

/** Runs one ordering through the real use cases on the in-memory store, and the model beside it. */
export async function runOrdering(
  order: readonly InputName[],
  stock: Stock,
  bookingId: string,
): Promise<RunResult> {
  const store = new MemoryInventoryStore();
  store.seed(ITEM, STOCK_TOTAL[stock]);
  const harness = new SagaHarness(store, bookingId);
  let model = initialState();
  const publishedPerDelivery: string[][] = [];
  const heldAfter: number[] = [];
  for (const name of order) {
    const before = harness.publisher.published.length;
    await harness.deliver(name);
    publishedPerDelivery.push(harness.publisher.ids().slice(before));
    const item = store.items.get(ITEM);
    heldAfter.push((item?.reservedQuantity ?? 0) + (item?.confirmedQuantity ?? 0));
    model = step(model, INPUTS[name], stock, bookingId).next;
  }
  return {
    model,
    publishedPerDelivery,
    published: new Set(harness.publisher.ids()),
    events: harness.publisher.published,
    store,
    heldAfter,
  };
}

/** What the store holds, as the model describes it. */
export function observed(result: RunResult, bookingId: string) {
  const record = result.store.bookings.get(bookingId);
  const item = result.store.items.get(ITEM);
  return {
    phase: record?.status ?? 'NONE',
    cancelled: record?.cancelled === true,
    payments: record?.payments ?? {},
    held:
      (item?.reservedQuantity ?? 0) > 0
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
    payments: model.payments,
    held: held(model),
    answers: [...model.answers].sort(),
  };
}
