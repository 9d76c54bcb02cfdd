import {
  DECISION_TABLE,
  type Effect,
  type SagaInputKind,
  type Situation,
} from '../../shared/domain/decisions.ts';
import { eventIdFor } from '../../shared/domain/event-ids.ts';
import type { PaymentDecision } from '../../shared/domain/model.ts';

/**
 * The reference model of one booking's saga: the decision table (the data the use cases
 * execute) interpreted over an abstract state with no store, no clock and no events,
 * only which units are held and which answers were given. The use cases must end where
 * this says; independent rules (rules.ts) check both.
 */

/**
 * `ample`: enough for the booking; `short`: one unit short, for good; `waitlist`: one unit
 * short while another booking (the blocker) holds it, and the booking's `BookingCreated`
 * asks to wait (for less than one tick). `UnitsFreed` (the blocker is cancelled) or a
 * tick (the blocker's hold expires) brings the unit back; the waitlist server then runs.
 */
export type Stock = 'ample' | 'short' | 'waitlist';
export type Input =
  | { kind: 'BookingCreated' }
  | { kind: 'PaymentSucceeded'; paymentId: string }
  | { kind: 'PaymentFailed' }
  | { kind: 'BookingCancelled' }
  | { kind: 'HoldExpired' }
  | { kind: 'UnitsFreed' };

export interface ModelState {
  phase: 'NONE' | 'PENDING' | 'RESERVED' | 'CONFIRMED' | 'RELEASED' | 'EXPIRED' | 'REFUSED' | 'WAITLISTED';
  /** `waitlist` stock: the blocker's unit is back. */
  freed: boolean;
  cancelled: boolean;
  paymentFailed: boolean;
  created: boolean;
  generation: number;
  payments: Record<string, PaymentDecision>;
  /** Every answer given, as the event ids the contract derives. */
  answers: Set<string>;
}

export function initialState(): ModelState {
  return {
    phase: 'NONE',
    freed: false,
    cancelled: false,
    paymentFailed: false,
    created: false,
    generation: 0,
    payments: {},
    answers: new Set(),
  };
}

/** Units of the booking's line held: what the item's reserved / confirmed counters must show. */
export function held(state: ModelState): 'none' | 'reserved' | 'confirmed' {
  return state.phase === 'RESERVED' ? 'reserved' : state.phase === 'CONFIRMED' ? 'confirmed' : 'none';
}

function situation(s: ModelState): Situation {
  if (s.phase === 'NONE') return 'NONE';
  if (s.cancelled && held(s) === 'none') return 'CANCELLED';
  switch (s.phase) {
    case 'PENDING':
      if (Object.values(s.payments).includes('PENDING')) return 'PAID';
      return s.paymentFailed ? 'PAYMENT_FAILED' : 'NONE';
    case 'EXPIRED':
    case 'RELEASED':
      return 'ENDED';
    default:
      return s.phase;
  }
}

/**
 * Applies one input; returns the next state and the effect the table chose. Time (a tick)
 * and freed units end with the waitlist server's run: a waiting booking is served once the
 * blocker's unit is back.
 */
export function step(
  state: ModelState,
  input: Input,
  stock: Stock,
  bookingId: string,
): { next: ModelState; effect: Effect } {
  if (input.kind !== 'UnitsFreed' && input.kind !== 'HoldExpired')
    return decideOne(state, input, stock, bookingId);
  const done =
    input.kind === 'HoldExpired'
      ? decideOne(state, input, stock, bookingId)
      : {
          next: { ...state, payments: { ...state.payments }, answers: new Set(state.answers) },
          effect: 'ignore' as Effect,
        };
  if (stock === 'waitlist') done.next.freed = true;
  if (situation(done.next) !== 'WAITLISTED' || !done.next.freed) return done;
  return decideOne(done.next, { kind: 'WaitlistServe' }, stock, bookingId);
}

function decideOne(
  state: ModelState,
  input: Exclude<Input, { kind: 'UnitsFreed' }> | { kind: 'WaitlistServe' },
  stock: Stock,
  bookingId: string,
): { next: ModelState; effect: Effect } {
  const s: ModelState = { ...state, payments: { ...state.payments }, answers: new Set(state.answers) };
  // Short for this booking now: `waitlist` stock is, until the blocker's unit is back.
  const short = stock === 'short' || (stock === 'waitlist' && !s.freed);
  const id = (transition: string, generation = 0) => eventIdFor(bookingId, transition, generation);
  const refuse = (key: string, reason: PaymentDecision) => {
    s.payments[key] = reason;
    s.answers.add(id(`CONFIRMATION_FAILED:${key}`));
  };
  if (input.kind === 'PaymentSucceeded' && s.payments[input.paymentId] !== undefined) {
    return { next: s, effect: 'replay' };
  }
  const effect = DECISION_TABLE[situation(s)][input.kind as SagaInputKind];
  // Units held: confirmed at once by the first waiting payment (the others are duplicates).
  const hold = (paying: readonly string[]) => {
    const [first, ...rest] = paying;
    s.phase = first === undefined ? 'RESERVED' : 'CONFIRMED';
    s.answers.add(id('RESERVED', s.generation));
    if (first === undefined) return;
    s.answers.add(id('CONFIRMED', s.generation));
    s.payments[first] = 'CONFIRMED';
    for (const k of rest) refuse(k, 'DUPLICATE_PAYMENT');
  };
  const waiting = Object.keys(s.payments)
    .filter((k) => s.payments[k] === 'PENDING')
    .sort();
  switch (effect) {
    case 'reserve':
    case 'reserve-paid':
      s.created = true;
      if (short && stock === 'waitlist') {
        s.phase = 'WAITLISTED';
        s.answers.add(id('WAITLISTED'));
      } else if (short) {
        s.phase = 'REFUSED';
        s.answers.add(id('RESERVATION_FAILED'));
        for (const k of waiting) refuse(k, 'STOCK_UNAVAILABLE');
      } else hold(effect === 'reserve-paid' ? waiting : []);
      break;
    case 'reserve-and-release':
      s.created = true;
      if (short) {
        s.phase = 'REFUSED';
        s.answers.add(id('RESERVATION_FAILED'));
      } else {
        s.phase = 'RELEASED';
        s.answers.add(id('RESERVED', s.generation));
        s.answers.add(id('RELEASED', s.generation));
      }
      break;
    case 'remember-payment':
      if (input.kind === 'PaymentSucceeded') s.payments[input.paymentId] = 'PENDING';
      if (s.phase === 'NONE') s.phase = 'PENDING';
      break;
    case 'remember-failure':
      s.phase = 'PENDING';
      s.paymentFailed = true;
      break;
    case 'cancel':
      if (held(s) !== 'none') {
        s.phase = 'RELEASED';
        s.answers.add(id('RELEASED', s.generation));
      }
      if (s.phase === 'NONE') s.phase = 'PENDING';
      s.cancelled = true;
      for (const k of waiting) refuse(k, 'BOOKING_CANCELLED');
      break;
    case 'refuse-cancelled':
      if (!s.created) {
        s.created = true;
        s.phase = 'REFUSED';
        s.answers.add(id('RESERVATION_FAILED'));
      }
      break;
    case 'refuse-payment-cancelled':
      if (input.kind === 'PaymentSucceeded') refuse(input.paymentId, 'BOOKING_CANCELLED');
      break;
    case 'refuse-duplicate-payment':
      if (input.kind === 'PaymentSucceeded') refuse(input.paymentId, 'DUPLICATE_PAYMENT');
      break;
    case 'confirm':
      s.phase = 'CONFIRMED';
      if (input.kind === 'PaymentSucceeded') s.payments[input.paymentId] = 'CONFIRMED';
      s.answers.add(id('CONFIRMED', s.generation));
      break;
    case 'release-payment-failed':
      s.phase = 'RELEASED';
      s.answers.add(id('RELEASED', s.generation));
      break;
    case 'expire':
      s.phase = 'EXPIRED';
      s.answers.add(id('EXPIRED', s.generation));
      break;
    case 're-reserve-paid':
      if (input.kind !== 'PaymentSucceeded') break;
      if (short) refuse(input.paymentId, 'STOCK_UNAVAILABLE');
      else {
        s.generation++;
        s.phase = 'CONFIRMED';
        s.payments[input.paymentId] = 'CONFIRMED';
        s.answers.add(id('RESERVED', s.generation));
        s.answers.add(id('CONFIRMED', s.generation));
      }
      break;
    case 'serve':
      hold(waiting);
      break;
    case 'leave-waitlist':
      // Success beats failure: a failed payment while a success waits changes nothing.
      if (input.kind === 'PaymentFailed' && waiting.length > 0) break;
      s.phase = 'REFUSED';
      s.answers.add(id('RESERVATION_FAILED'));
      if (input.kind === 'BookingCancelled') {
        s.cancelled = true;
        for (const k of waiting) refuse(k, 'BOOKING_CANCELLED');
      } else s.paymentFailed = true;
      break;
    case 'waitlist-expire':
      s.phase = 'REFUSED';
      s.answers.add(id('RESERVATION_FAILED'));
      for (const k of waiting) refuse(k, 'STOCK_UNAVAILABLE');
      break;
    case 'replay':
    case 'ignore':
      break;
  }
  return { next: s, effect };
}
