import {
  BookingConflictError,
  type DomainError,
  InsufficientInventoryError,
  type ItemNotFoundError,
} from './errors.ts';
import { reservationIdFor } from './event-ids.ts';
import { DEFAULT_RESERVATION_TTL_SECONDS } from './limits.ts';
import {
  type Answer,
  type ConfirmationFailureReason,
  holdsUnits,
  type Owner,
  type PaymentDecision,
  type ReleaseReason,
  type Reservation,
  type ReservationFailureReason,
  type ReservationLine,
  type ReservationStatus,
  type ShortLine,
  sameLines,
  type WaitlistPriority,
} from './model.ts';
import type { Causation, LineMovement, ReservationWrite } from './ports.ts';

/**
 * The saga's decision table, as data: for the situation a booking is in and the input
 * that arrives, the effect to apply. The use cases execute it (`decide`), the reference
 * model of the tests interprets it, and docs/saga.md is generated from it
 * (`npm run docs:saga`). Its text is the contract; the rules it must satisfy are in
 * docs/saga.md and proven by test/model.
 */

/** What can happen to a booking. `HoldExpired` is time: the hold's `expiresAt` has passed. */
export type SagaInputKind =
  | 'BookingCreated'
  | 'PaymentSucceeded'
  | 'PaymentFailed'
  | 'BookingCancelled'
  | 'HoldExpired'
  | 'WaitlistServe';
export const SAGA_INPUT_KINDS: readonly SagaInputKind[] = [
  'BookingCreated',
  'PaymentSucceeded',
  'PaymentFailed',
  'BookingCancelled',
  'HoldExpired',
  'WaitlistServe',
];

/** Inputs that are not events: what the time does, and what the waitlist server tries. */
export const INPUT_TEXT: Readonly<Partial<Record<SagaInputKind, string>>> = {
  HoldExpired: 'the hold (or the waitlist ticket) is due: `expiresAt` has passed',
  WaitlistServe: 'units of one of its items were freed: the waitlist server tries the booking',
};

/** Where a booking stands, as far as decisions go (derived from its record by `situationOf`). */
export type Situation =
  | 'NONE'
  | 'PAID'
  | 'PAYMENT_FAILED'
  | 'CANCELLED'
  | 'RESERVED'
  | 'CONFIRMED'
  | 'ENDED'
  | 'REFUSED'
  | 'WAITLISTED';
export const SITUATIONS: readonly Situation[] = [
  'WAITLISTED',
  'NONE',
  'PAID',
  'PAYMENT_FAILED',
  'CANCELLED',
  'RESERVED',
  'CONFIRMED',
  'ENDED',
  'REFUSED',
];

export const SITUATION_TEXT: Readonly<Record<Situation, string>> = {
  NONE: 'nothing recorded',
  PAID: 'before `BookingCreated`, a payment waits',
  PAYMENT_FAILED: 'before `BookingCreated`, only a failed payment seen',
  CANCELLED: 'cancelled (absorbing), nothing held',
  RESERVED: '`RESERVED` (units held)',
  CONFIRMED: '`CONFIRMED` (units confirmed)',
  ENDED: '`EXPIRED`, or `RELEASED` after `PaymentFailed`',
  REFUSED: '`BookingCreated` refused',
  WAITLISTED: '`WAITLISTED` (nothing held; waits for units)',
};

export type Effect =
  | 'reserve'
  | 'reserve-paid'
  | 'reserve-and-release'
  | 'remember-payment'
  | 'remember-failure'
  | 'cancel'
  | 'refuse-cancelled'
  | 'refuse-payment-cancelled'
  | 'confirm'
  | 'refuse-duplicate-payment'
  | 'release-payment-failed'
  | 'expire'
  | 're-reserve-paid'
  | 'serve'
  | 'leave-waitlist'
  | 'waitlist-expire'
  | 'replay'
  | 'ignore';

/** Each effect: what it does to stock and which answers it records and publishes. */
export const EFFECT_TEXT: Readonly<Record<Effect, string>> = {
  reserve:
    'available → reserved; `InventoryReserved`. Short (after reclaiming due holds on those items): with a `waitlist` ticket, `WAITLISTED` and `InventoryWaitlisted` (nothing held); else `REFUSED`, `InventoryReservationFailed` (`INSUFFICIENT_INVENTORY` or `ITEM_NOT_FOUND`)',
  'reserve-paid':
    'available → confirmed, confirmed by the waiting payment with the smallest key; `InventoryReserved` + `InventoryConfirmed`, other waiting payments `InventoryConfirmationFailed` (`DUPLICATE_PAYMENT`). Short: `REFUSED`, `InventoryReservationFailed` + `InventoryConfirmationFailed` (`STOCK_UNAVAILABLE`) for each waiting payment',
  'reserve-and-release':
    'availability checked, nothing moves; `InventoryReserved` + `InventoryReleased` (`PAYMENT_FAILED`), as if `BookingCreated` had come first; ends `RELEASED`. Short: `REFUSED`, `InventoryReservationFailed`',
  'remember-payment':
    'the payment is recorded as waiting; answered when `BookingCreated` or `BookingCancelled` comes',
  'remember-failure': 'the failure is recorded; no answer',
  cancel:
    'recorded as cancelled (absorbing); held units go back to available with `InventoryReleased` (`CANCELLED`); waiting payments get `InventoryConfirmationFailed` (`BOOKING_CANCELLED`)',
  'refuse-cancelled':
    '`InventoryReservationFailed` (`BOOKING_RELEASED`), nothing reserved (a replay if `BookingCreated` was answered before the cancellation)',
  'refuse-payment-cancelled': '`InventoryConfirmationFailed` (`BOOKING_CANCELLED`): refund',
  confirm: 'reserved → confirmed; `InventoryConfirmed`',
  'refuse-duplicate-payment':
    '`InventoryConfirmationFailed` (`DUPLICATE_PAYMENT`): another payment confirmed the booking; refund this one',
  'release-payment-failed': 'reserved → available; `InventoryReleased` (`PAYMENT_FAILED`)',
  expire: 'if `expiresAt` has passed: reserved → available; `InventoryReleased` (`EXPIRED`)',
  're-reserve-paid':
    'a new generation, available → confirmed; `InventoryReserved` + `InventoryConfirmed`. Short (after reclaiming): `InventoryConfirmationFailed` (`STOCK_UNAVAILABLE`)',
  serve:
    'every line at once, available → reserved with a fresh hold (→ confirmed when a payment waits: `InventoryConfirmed` too); `InventoryReserved` (`fromWaitlist`). Short: keeps waiting, nothing written',
  'leave-waitlist':
    'off the waitlist, nothing was held; `REFUSED` (`BOOKING_RELEASED`), `InventoryReservationFailed`; a cancellation is recorded (absorbing) and refuses waiting payments (`BOOKING_CANCELLED`); a `PaymentFailed` while a payment waits is ignored',
  'waitlist-expire':
    "if `expiresAt` (the ticket's `until`) has passed: off the waitlist, `REFUSED` (`WAITLIST_EXPIRED`), `InventoryReservationFailed`; waiting payments `InventoryConfirmationFailed` (`STOCK_UNAVAILABLE`)",
  replay:
    'the recorded answer stands; nothing is written or published again (other lines: `BOOKING_CONFLICT`)',
  ignore: 'nothing to do',
};

/**
 * The table. A `PaymentSucceeded` whose payment key is already recorded is a replay in
 * every situation (its recorded answer stands); the `PaymentSucceeded` column is for a
 * payment not seen before.
 */
export const DECISION_TABLE: Readonly<Record<Situation, Readonly<Record<SagaInputKind, Effect>>>> = {
  WAITLISTED: {
    BookingCreated: 'replay',
    PaymentSucceeded: 'remember-payment',
    PaymentFailed: 'leave-waitlist',
    BookingCancelled: 'leave-waitlist',
    HoldExpired: 'waitlist-expire',
    WaitlistServe: 'serve',
  },
  NONE: {
    BookingCreated: 'reserve',
    PaymentSucceeded: 'remember-payment',
    PaymentFailed: 'remember-failure',
    BookingCancelled: 'cancel',
    HoldExpired: 'ignore',
    WaitlistServe: 'ignore',
  },
  PAID: {
    BookingCreated: 'reserve-paid',
    PaymentSucceeded: 'remember-payment',
    PaymentFailed: 'ignore',
    BookingCancelled: 'cancel',
    HoldExpired: 'ignore',
    WaitlistServe: 'ignore',
  },
  PAYMENT_FAILED: {
    BookingCreated: 'reserve-and-release',
    PaymentSucceeded: 'remember-payment',
    PaymentFailed: 'ignore',
    BookingCancelled: 'cancel',
    HoldExpired: 'ignore',
    WaitlistServe: 'ignore',
  },
  CANCELLED: {
    BookingCreated: 'refuse-cancelled',
    PaymentSucceeded: 'refuse-payment-cancelled',
    PaymentFailed: 'ignore',
    BookingCancelled: 'ignore',
    HoldExpired: 'ignore',
    WaitlistServe: 'ignore',
  },
  RESERVED: {
    BookingCreated: 'replay',
    PaymentSucceeded: 'confirm',
    PaymentFailed: 'release-payment-failed',
    BookingCancelled: 'cancel',
    HoldExpired: 'expire',
    WaitlistServe: 'ignore',
  },
  CONFIRMED: {
    BookingCreated: 'replay',
    PaymentSucceeded: 'refuse-duplicate-payment',
    PaymentFailed: 'ignore',
    BookingCancelled: 'cancel',
    HoldExpired: 'ignore',
    WaitlistServe: 'ignore',
  },
  ENDED: {
    BookingCreated: 'replay',
    PaymentSucceeded: 're-reserve-paid',
    PaymentFailed: 'ignore',
    BookingCancelled: 'cancel',
    HoldExpired: 'ignore',
    WaitlistServe: 'ignore',
  },
  REFUSED: {
    BookingCreated: 'replay',
    PaymentSucceeded: 're-reserve-paid',
    PaymentFailed: 'ignore',
    BookingCancelled: 'cancel',
    HoldExpired: 'ignore',
    WaitlistServe: 'ignore',
  },
};

/** The situation a booking's record puts it in. */
export function situationOf(record: Reservation | undefined): Situation {
  if (!record) return 'NONE';
  if (record.cancelled && !holdsUnits(record.status)) return 'CANCELLED';
  switch (record.status) {
    case 'PENDING':
      if (waitingPayments(record).length > 0) return 'PAID';
      return record.paymentFailed ? 'PAYMENT_FAILED' : 'NONE';
    case 'RESERVED':
    case 'CONFIRMED':
    case 'REFUSED':
    case 'WAITLISTED':
      return record.status;
    case 'EXPIRED':
    case 'RELEASED':
      return 'ENDED';
  }
}

/** Payment keys waiting for `BookingCreated`, in a fixed order (the smallest key confirms). */
export function waitingPayments(record: Reservation | undefined): string[] {
  return Object.entries(record?.payments ?? {})
    .filter(([, decision]) => decision === 'PENDING')
    .map(([key]) => key)
    .sort();
}

/** One input, with what the decision needs of it. */
export type SagaInput =
  | {
      kind: 'BookingCreated';
      lines: ReservationLine[];
      ttlSeconds: number;
      owner?: Owner;
      /**
       * Record a refusal even when the booking has no record yet. The saga's events do
       * (the refusal is their one answer); an HTTP caller is answered 409 at once and may
       * try again later, so a refusal of a booking nobody else knows is not kept.
       */
      recordRefusal: boolean;
      /** Wait for stock instead of being refused when it is short. */
      waitlist?: { maxWaitSeconds: number; priority: WaitlistPriority };
    }
  | { kind: 'PaymentSucceeded'; paymentKey: string; paymentId?: string }
  | { kind: 'PaymentFailed' }
  | { kind: 'BookingCancelled'; reason: Extract<ReleaseReason, 'CANCELLED' | 'MANUAL'> }
  | { kind: 'HoldExpired' }
  | { kind: 'WaitlistServe' };

export interface DecisionContext {
  bookingId: string;
  now: string;
  causation: Causation;
}

/** A decision that writes: the record, its stock movements and its answers, in one transaction. */
export interface WriteDecision {
  kind: 'write';
  effect: Effect;
  write: ReservationWrite;
  /** The refusal this write records (the booking's, or this payment's), if it is one. */
  refusal?: DomainError;
  /** What to write instead when the stock is short (the transaction says so). */
  onShortage?: (error: InsufficientInventoryError | ItemNotFoundError) => Decision;
}

export type Decision =
  | WriteDecision
  | { kind: 'replay'; effect: Effect; record?: Reservation; refusal?: DomainError }
  | { kind: 'ignore'; effect: Effect; record?: Reservation }
  /** A refusal that is answered to the caller only (nothing recorded, nothing published). */
  | { kind: 'refuse'; effect: Effect; refusal: DomainError };

/** Decides what `input` does to the booking whose record is `record`. Pure. */
export function decide(record: Reservation | undefined, input: SagaInput, ctx: DecisionContext): Decision {
  if (input.kind === 'PaymentSucceeded' && record?.payments?.[input.paymentKey] !== undefined) {
    return { kind: 'replay', effect: 'replay', record };
  }
  const effect = DECISION_TABLE[situationOf(record)][input.kind];
  const base = record ?? blankRecord(ctx);
  switch (effect) {
    case 'reserve':
    case 'reserve-paid':
      return reserve(base, record, asCreated(input), ctx, effect);
    case 'reserve-and-release':
      return reserveAndRelease(base, asCreated(input), ctx);
    case 'remember-payment': {
      const payment = asPayment(input);
      return recordOnly(effect, base, record, ctx, {
        ...base,
        status: record ? base.status : 'PENDING',
        payments: { ...base.payments, [payment.paymentKey]: 'PENDING' },
      });
    }
    case 'remember-failure':
      return recordOnly(effect, base, record, ctx, { ...base, status: 'PENDING', paymentFailed: true });
    case 'cancel':
      return cancel(base, record, input, ctx);
    case 'refuse-cancelled': {
      const created = asCreated(input);
      if (base.items.length > 0) return replayCreated(base, created.lines);
      const message = `Booking ${ctx.bookingId} was cancelled before it was reserved`;
      const refusal = new BookingConflictError(message, {
        details: { bookingId: ctx.bookingId, status: 'CANCELLED' },
      });
      const next: Reservation = {
        ...base,
        status: 'REFUSED',
        items: created.lines,
        refusal: 'BOOKING_RELEASED',
      };
      return {
        ...recordOnly(effect, base, record, ctx, next, [
          { type: 'InventoryReservationFailed', reason: 'BOOKING_RELEASED' },
        ]),
        refusal,
      };
    }
    case 'refuse-payment-cancelled':
    case 'refuse-duplicate-payment': {
      const payment = asPayment(input);
      const reason: ConfirmationFailureReason =
        effect === 'refuse-duplicate-payment' ? 'DUPLICATE_PAYMENT' : 'BOOKING_CANCELLED';
      return recordOnly(
        effect,
        base,
        record,
        ctx,
        { ...base, payments: { ...base.payments, [payment.paymentKey]: reason } },
        [{ type: 'InventoryConfirmationFailed', paymentKey: payment.paymentKey, reason }],
      );
    }
    case 'confirm': {
      const payment = asPayment(input);
      const next: Reservation = {
        ...base,
        status: 'CONFIRMED',
        confirmedAt: ctx.now,
        paymentId: payment.paymentKey,
        payments: { ...base.payments, [payment.paymentKey]: 'CONFIRMED' },
      };
      return transition(effect, base, next, 'CONFIRM', moves(base.items, 'reserved', 'confirmed'), ctx, [
        { type: 'InventoryConfirmed' },
      ]);
    }
    case 'release-payment-failed':
    case 'expire': {
      if (effect === 'expire' && base.expiresAt > ctx.now)
        return { kind: 'ignore', effect: 'ignore', record: base };
      const reason: ReleaseReason = effect === 'expire' ? 'EXPIRED' : 'PAYMENT_FAILED';
      const next: Reservation = {
        ...base,
        status: effect === 'expire' ? 'EXPIRED' : 'RELEASED',
        releasedAt: ctx.now,
        releaseReason: reason,
      };
      return transition(
        effect,
        base,
        next,
        effect === 'expire' ? 'EXPIRE' : 'RELEASE',
        moves(base.items, 'reserved', 'available'),
        ctx,
        [{ type: 'InventoryReleased', previousStatus: 'RESERVED' }],
        causationFor(effect, base, ctx),
      );
    }
    case 're-reserve-paid':
      return reReservePaid(base, asPayment(input), ctx);
    case 'serve':
      return serve(base, ctx);
    case 'leave-waitlist':
      return leaveWaitlist(base, input, ctx);
    case 'waitlist-expire':
      return waitlistExpire(base, ctx);
    case 'replay':
      return input.kind === 'BookingCreated'
        ? replayCreated(base, input.lines)
        : { kind: 'replay', effect, record: base };
    case 'ignore':
      return { kind: 'ignore', effect, ...(record ? { record } : {}) };
  }
}

function reserve(
  base: Reservation,
  record: Reservation | undefined,
  input: Extract<SagaInput, { kind: 'BookingCreated' }>,
  ctx: DecisionContext,
  effect: 'reserve' | 'reserve-paid',
): Decision {
  const waiting = waitingPayments(record);
  const held = hold(
    { ...base, items: input.lines, ...(input.owner ? { owner: input.owner } : {}) },
    effect === 'reserve-paid' ? waiting : [],
    input.ttlSeconds,
    ctx,
  );
  const decision = transition(
    effect,
    record ? base : undefined,
    { ...held.next, createdAt: base.createdAt, correlationId: ctx.causation.correlationId },
    held.movementType,
    held.movements,
    ctx,
    held.answers,
  );
  return {
    ...decision,
    onShortage: (error) => {
      if (input.waitlist && error instanceof InsufficientInventoryError) {
        return joinWaitlist(base, record, input, ctx, effect, error);
      }
      const reason: ReservationFailureReason =
        error instanceof InsufficientInventoryError ? 'INSUFFICIENT_INVENTORY' : 'ITEM_NOT_FOUND';
      if (!record && !input.recordRefusal) return { kind: 'refuse', effect, refusal: error };
      const items = shortLines(error);
      const refunds = refuseWaiting(record, 'STOCK_UNAVAILABLE', items);
      const refused: Reservation = {
        ...base,
        status: 'REFUSED',
        items: input.lines,
        refusal: reason,
        correlationId: ctx.causation.correlationId,
        payments: refunds.payments,
        ...(input.owner ? { owner: input.owner } : {}),
      };
      const answers: Answer[] = [
        { type: 'InventoryReservationFailed', reason, ...items },
        ...refunds.answers,
      ];
      return { ...recordOnly(effect, base, record, ctx, refused, answers), refusal: error };
    },
  };
}

/**
 * Units of `booking`'s lines taken from available: held for `holdSeconds`, or confirmed at
 * once by the first of the `waiting` payments (the others are answered DUPLICATE_PAYMENT).
 * What `reserve`, `reserve-paid` and `serve` share.
 */
function hold(
  booking: Reservation,
  waiting: readonly string[],
  holdSeconds: number,
  ctx: DecisionContext,
  fromWaitlist = false,
): { next: Reservation; answers: Answer[]; movements: LineMovement[]; movementType: string } {
  const [confirming, ...duplicates] = waiting;
  const paid = confirming !== undefined;
  const payments: Record<string, PaymentDecision> = { ...booking.payments };
  if (paid) {
    payments[confirming] = 'CONFIRMED';
    for (const key of duplicates) payments[key] = 'DUPLICATE_PAYMENT';
  }
  const next: Reservation = {
    ...booking,
    status: paid ? 'CONFIRMED' : 'RESERVED',
    expiresAt: expiry(ctx.now, holdSeconds),
    payments,
    ...(paid ? { confirmedAt: ctx.now, paymentId: confirming } : {}),
  };
  const answers: Answer[] = [
    {
      type: 'InventoryReserved',
      status: paid ? 'CONFIRMED' : 'RESERVED',
      ...(fromWaitlist ? { fromWaitlist: true as const } : {}),
    },
  ];
  if (paid) {
    answers.push({ type: 'InventoryConfirmed' });
    for (const key of duplicates) {
      answers.push({ type: 'InventoryConfirmationFailed', paymentKey: key, reason: 'DUPLICATE_PAYMENT' });
    }
  }
  return {
    next,
    answers,
    movements: moves(booking.items, 'available', paid ? 'confirmed' : 'reserved'),
    movementType: paid ? 'RESERVE_CONFIRMED' : 'RESERVE',
  };
}

/** Short, with a ticket: the booking waits (nothing held); waiting payments keep waiting. */
function joinWaitlist(
  base: Reservation,
  record: Reservation | undefined,
  input: Extract<SagaInput, { kind: 'BookingCreated' }>,
  ctx: DecisionContext,
  effect: Effect,
  error: InsufficientInventoryError,
): WriteDecision {
  const waitlist = input.waitlist as NonNullable<typeof input.waitlist>;
  const until = expiry(ctx.now, waitlist.maxWaitSeconds);
  const next: Reservation = {
    ...base,
    status: 'WAITLISTED',
    items: input.lines,
    expiresAt: until,
    correlationId: ctx.causation.correlationId,
    waitlist: {
      priority: waitlist.priority,
      until,
      since: ctx.now,
      holdSeconds: input.ttlSeconds,
      shortItemIds: error.shortfalls.map((s) => s.itemId),
    },
    ...(input.owner ? { owner: input.owner } : {}),
  };
  return recordOnly(effect, base, record, ctx, next, [
    { type: 'InventoryWaitlisted', items: error.shortfalls },
  ]);
}

/**
 * The waitlist server's try: every line at once or nothing (a short line keeps the booking
 * waiting, nothing is written). A waiting payment confirms at once, as with `reserve-paid`.
 */
function serve(base: Reservation, ctx: DecisionContext): Decision {
  const holdSeconds = base.waitlist?.holdSeconds ?? DEFAULT_RESERVATION_TTL_SECONDS;
  const held = hold(base, waitingPayments(base), holdSeconds, ctx, true);
  const decision = transition(
    'serve',
    base,
    held.next,
    held.movementType,
    held.movements,
    ctx,
    held.answers,
    { correlationId: base.correlationId },
  );
  return { ...decision, onShortage: () => ({ kind: 'ignore', effect: 'ignore', record: base }) };
}

/** Cancelled, released by hand or its payment failed while it waited: off the waitlist. */
function leaveWaitlist(base: Reservation, input: SagaInput, ctx: DecisionContext): Decision {
  const waiting = waitingPayments(base);
  const cancelled = input.kind === 'BookingCancelled';
  // Success beats failure: a payment that waits is applied when the booking is served.
  if (!cancelled && waiting.length > 0) return { kind: 'ignore', effect: 'ignore', record: base };
  const refunds = refuseWaiting(base, 'BOOKING_CANCELLED');
  const next: Reservation = {
    ...base,
    status: 'REFUSED',
    refusal: 'BOOKING_RELEASED',
    releasedAt: ctx.now,
    releaseReason: input.kind === 'BookingCancelled' ? input.reason : 'PAYMENT_FAILED',
    payments: refunds.payments,
    ...(cancelled ? { cancelled: true } : { paymentFailed: true }),
  };
  return recordOnly('leave-waitlist', base, base, ctx, next, [
    { type: 'InventoryReservationFailed', reason: 'BOOKING_RELEASED' },
    ...refunds.answers,
  ]);
}

/** The ticket's `until` passed unserved: `WAITLIST_EXPIRED`; waiting payments are refunded. */
function waitlistExpire(base: Reservation, ctx: DecisionContext): Decision {
  if (base.expiresAt > ctx.now) return { kind: 'ignore', effect: 'ignore', record: base };
  const refunds = refuseWaiting(base, 'STOCK_UNAVAILABLE');
  const next: Reservation = {
    ...base,
    status: 'REFUSED',
    refusal: 'WAITLIST_EXPIRED',
    payments: refunds.payments,
  };
  return {
    ...transition(
      'waitlist-expire',
      base,
      next,
      'DECISION',
      [],
      ctx,
      [{ type: 'InventoryReservationFailed', reason: 'WAITLIST_EXPIRED' }, ...refunds.answers],
      { correlationId: base.correlationId },
    ),
  };
}

function reserveAndRelease(
  base: Reservation,
  input: Extract<SagaInput, { kind: 'BookingCreated' }>,
  ctx: DecisionContext,
): Decision {
  const reserved: Reservation = {
    ...base,
    status: 'RESERVED',
    items: input.lines,
    expiresAt: expiry(ctx.now, input.ttlSeconds),
    correlationId: ctx.causation.correlationId,
    ...(input.owner ? { owner: input.owner } : {}),
  };
  const next: Reservation = {
    ...reserved,
    status: 'RELEASED',
    releasedAt: ctx.now,
    releaseReason: 'PAYMENT_FAILED',
  };
  const decision = transition('reserve-and-release', base, next, 'CHECK', [], ctx, [
    { type: 'InventoryReserved', status: 'RESERVED' },
    { type: 'InventoryReleased', previousStatus: 'RESERVED' },
  ]);
  decision.write.checks = input.lines;
  return {
    ...decision,
    onShortage: (error) => {
      const reason: ReservationFailureReason =
        error instanceof InsufficientInventoryError ? 'INSUFFICIENT_INVENTORY' : 'ITEM_NOT_FOUND';
      const refused: Reservation = { ...base, status: 'REFUSED', items: input.lines, refusal: reason };
      return {
        ...recordOnly('reserve-and-release', base, base, ctx, refused, [
          { type: 'InventoryReservationFailed', reason, ...shortLines(error) },
        ]),
        refusal: error,
      };
    },
  };
}

function reReservePaid(
  base: Reservation,
  payment: Extract<SagaInput, { kind: 'PaymentSucceeded' }>,
  ctx: DecisionContext,
): Decision {
  const { releasedAt: _r, releaseReason: _why, refusal: _refusal, ...rest } = base;
  const next: Reservation = {
    ...rest,
    status: 'CONFIRMED',
    confirmedAt: ctx.now,
    generation: base.generation + 1,
    paymentId: payment.paymentKey,
    payments: { ...base.payments, [payment.paymentKey]: 'CONFIRMED' },
  };
  const decision = transition(
    're-reserve-paid',
    base,
    next,
    'RESERVE_CONFIRMED',
    moves(base.items, 'available', 'confirmed'),
    ctx,
    [{ type: 'InventoryReserved', status: 'CONFIRMED' }, { type: 'InventoryConfirmed' }],
  );
  return {
    ...decision,
    onShortage: (error) => {
      const refused: Reservation = {
        ...base,
        payments: { ...base.payments, [payment.paymentKey]: 'STOCK_UNAVAILABLE' },
      };
      return {
        ...recordOnly('re-reserve-paid', base, base, ctx, refused, [
          {
            type: 'InventoryConfirmationFailed',
            paymentKey: payment.paymentKey,
            reason: 'STOCK_UNAVAILABLE',
            ...shortLines(error),
          },
        ]),
        refusal: error,
      };
    },
  };
}

function cancel(
  base: Reservation,
  record: Reservation | undefined,
  input: SagaInput,
  ctx: DecisionContext,
): Decision {
  const reason = input.kind === 'BookingCancelled' ? input.reason : 'CANCELLED';
  if (record && holdsUnits(record.status)) {
    const previous = record.status as ReservationStatus;
    const next: Reservation = {
      ...base,
      status: 'RELEASED',
      releasedAt: ctx.now,
      releaseReason: reason,
      cancelled: true,
    };
    return transition(
      'cancel',
      base,
      next,
      'RELEASE',
      moves(base.items, previous === 'CONFIRMED' ? 'confirmed' : 'reserved', 'available'),
      ctx,
      [{ type: 'InventoryReleased', previousStatus: previous }],
    );
  }
  const refunds = refuseWaiting(record, 'BOOKING_CANCELLED');
  const next: Reservation = {
    ...base,
    cancelled: true,
    payments: refunds.payments,
    ...(record ? {} : { releasedAt: ctx.now, releaseReason: reason }),
  };
  return recordOnly('cancel', base, record, ctx, next, refunds.answers);
}

/**
 * Refuses every payment waiting on the booking with `reason` (a refund each): the
 * booking's payments with those decisions recorded, and their answers.
 */
function refuseWaiting(
  record: Reservation | undefined,
  reason: ConfirmationFailureReason,
  items: { items?: ShortLine[] } = {},
): { payments: Record<string, PaymentDecision>; answers: Answer[] } {
  const payments: Record<string, PaymentDecision> = { ...record?.payments };
  const answers: Answer[] = [];
  for (const key of waitingPayments(record)) {
    payments[key] = reason;
    answers.push({ type: 'InventoryConfirmationFailed', paymentKey: key, reason, ...items });
  }
  return { payments, answers };
}

function replayCreated(record: Reservation, lines: ReservationLine[]): Decision {
  if (!sameLines(record.items, lines)) {
    return {
      kind: 'refuse',
      effect: 'replay',
      refusal: new BookingConflictError(`Booking ${record.bookingId} is already known with other lines`, {
        details: { bookingId: record.bookingId, reservationId: record.reservationId },
      }),
    };
  }
  if (record.status === 'RESERVED' || record.status === 'CONFIRMED' || record.status === 'WAITLISTED') {
    return { kind: 'replay', effect: 'replay', record };
  }
  return {
    kind: 'replay',
    effect: 'replay',
    record,
    refusal: new BookingConflictError(`Booking ${record.bookingId} is ${describe(record)}`, {
      details: {
        bookingId: record.bookingId,
        reservationId: record.reservationId,
        status: record.status,
        ...(record.refusal ? { reason: record.refusal } : {}),
      },
    }),
  };
}

function describe(record: Reservation): string {
  if (record.status === 'REFUSED') return `refused (${record.refusal ?? 'unknown'})`;
  return record.status.toLowerCase();
}

/** A write of the record alone: a decision with no stock effect, kept so a redelivery replays it. */
function recordOnly(
  effect: Effect,
  base: Reservation,
  record: Reservation | undefined,
  ctx: DecisionContext,
  next: Reservation,
  answers: Answer[] = [],
): WriteDecision {
  return transition(effect, record ? base : undefined, next, 'DECISION', [], ctx, answers);
}

function transition(
  effect: Effect,
  previous: Reservation | undefined,
  next: Reservation,
  movementType: string,
  movements: LineMovement[],
  ctx: DecisionContext,
  answers: Answer[],
  causation: Causation = ctx.causation,
): WriteDecision {
  // The row carries its decision's answers: the change stream publishes them from it.
  const written: Reservation = {
    ...next,
    version: previous ? previous.version + 1 : 1,
    answers,
    decidedAt: ctx.now,
    causation,
  };
  return {
    kind: 'write',
    effect,
    write: {
      expected: previous
        ? { kind: 'state', status: previous.status, version: previous.version, expiresAt: previous.expiresAt }
        : { kind: 'absent' },
      next: written,
      movements,
      movementType,
      now: ctx.now,
    },
  };
}

function blankRecord(ctx: DecisionContext): Reservation {
  return {
    reservationId: reservationIdFor(ctx.bookingId),
    bookingId: ctx.bookingId,
    status: 'PENDING',
    items: [],
    expiresAt: ctx.now,
    createdAt: ctx.now,
    correlationId: ctx.causation.correlationId,
    version: 0,
    generation: 0,
  };
}

/** The sweeper's answer keeps the booking's own correlation id: no event caused it. */
function causationFor(effect: Effect, record: Reservation, ctx: DecisionContext): Causation {
  return effect === 'expire' ? { correlationId: record.correlationId } : ctx.causation;
}

function shortLines(error: InsufficientInventoryError | ItemNotFoundError): { items?: ShortLine[] } {
  return error instanceof InsufficientInventoryError ? { items: error.shortfalls } : {};
}

function moves(
  lines: readonly ReservationLine[],
  from: LineMovement['from'],
  to: LineMovement['to'],
): LineMovement[] {
  return lines.map(({ itemId, quantity }) => ({ itemId, quantity, from, to }));
}

function expiry(now: string, ttlSeconds: number): string {
  return new Date(Date.parse(now) + ttlSeconds * 1000).toISOString();
}

function asCreated(input: SagaInput): Extract<SagaInput, { kind: 'BookingCreated' }> {
  if (input.kind !== 'BookingCreated') throw new TypeError(`Expected BookingCreated, got ${input.kind}`);
  return input;
}

function asPayment(input: SagaInput): Extract<SagaInput, { kind: 'PaymentSucceeded' }> {
  if (input.kind !== 'PaymentSucceeded') throw new TypeError(`Expected PaymentSucceeded, got ${input.kind}`);
  return input;
}
