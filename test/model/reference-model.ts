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

export type Stock = 'ample' | 'short';
export type Input =
  | { kind: 'BookingCreated' }
  | { kind: 'PaymentSucceeded'; paymentId: string }
  | { kind: 'PaymentFailed' }
  | { kind: 'BookingCancelled' }
  | { kind: 'HoldExpired' };

export interface ModelState {
  phase: 'NONE' | 'PENDING' | 'RESERVED' | 'CONFIRMED' | 'RELEASED' | 'EXPIRED' | 'REFUSED';
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

/** Applies one input; returns the next state and the effect the table chose. */
export function step(
  state: ModelState,
  input: Input,
  stock: Stock,
  bookingId: string,
): { next: ModelState; effect: Effect } {
  const s: ModelState = { ...state, payments: { ...state.payments }, answers: new Set(state.answers) };
  const id = (transition: string, generation = 0) => eventIdFor(bookingId, transition, generation);
  const refuse = (key: string, reason: PaymentDecision) => {
    s.payments[key] = reason;
    s.answers.add(id(`CONFIRMATION_FAILED:${key}`));
  };
  if (input.kind === 'PaymentSucceeded' && s.payments[input.paymentId] !== undefined) {
    return { next: s, effect: 'replay' };
  }
  const effect = DECISION_TABLE[situation(s)][input.kind as SagaInputKind];
  const waiting = Object.keys(s.payments)
    .filter((k) => s.payments[k] === 'PENDING')
    .sort();
  switch (effect) {
    case 'reserve':
    case 'reserve-paid':
      s.created = true;
      if (stock === 'short') {
        s.phase = 'REFUSED';
        s.answers.add(id('RESERVATION_FAILED'));
        for (const k of waiting) refuse(k, 'STOCK_UNAVAILABLE');
      } else if (effect === 'reserve-paid' && waiting.length > 0) {
        s.phase = 'CONFIRMED';
        s.answers.add(id('RESERVED', s.generation));
        s.answers.add(id('CONFIRMED', s.generation));
        const [first, ...rest] = waiting;
        s.payments[first as string] = 'CONFIRMED';
        for (const k of rest) refuse(k, 'DUPLICATE_PAYMENT');
      } else {
        s.phase = 'RESERVED';
        s.answers.add(id('RESERVED', s.generation));
      }
      break;
    case 'reserve-and-release':
      s.created = true;
      if (stock === 'short') {
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
      if (stock === 'short') refuse(input.paymentId, 'STOCK_UNAVAILABLE');
      else {
        s.generation++;
        s.phase = 'CONFIRMED';
        s.payments[input.paymentId] = 'CONFIRMED';
        s.answers.add(id('RESERVED', s.generation));
        s.answers.add(id('CONFIRMED', s.generation));
      }
      break;
    case 'replay':
    case 'ignore':
      break;
  }
  return { next: s, effect };
}
