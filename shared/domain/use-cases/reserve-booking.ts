import { BookingConflictError, ValidationError } from '../errors.ts';
import {
  canonicalBookingId,
  DEFAULT_RESERVATION_TTL_SECONDS,
  MAX_WAITLIST_SECONDS,
  MIN_WAITLIST_SECONDS,
} from '../limits.ts';
import {
  mayAct,
  type Owner,
  type Reservation,
  type ReservationLine,
  type WaitlistPriority,
} from '../model.ts';
import type { Causation, Dependencies } from '../ports.ts';
import { applySagaInput, type SagaOutcome } from './apply-saga-input.ts';
import { validateLines } from './shared.ts';

export interface ReserveBookingInput extends Causation {
  bookingId: string;
  items: ReservationLine[];
  /** Hold length for this reservation; the configured default otherwise. */
  ttlSeconds?: number;
  /** The HTTP caller the reservation belongs to; absent when the saga reserves. */
  owner?: Owner;
  /** Wait for stock (status WAITLISTED) instead of being refused when it is short. */
  waitlist?: { maxWaitSeconds: number; priority: WaitlistPriority };
}

export interface ReserveBookingResult {
  /** `created`: this call reserved; `replayed`: the same reservation already existed. */
  outcome: 'created' | 'replayed';
  reservation: Reservation;
}

type ReserveDeps = Dependencies & { defaultTtlSeconds?: number };

/**
 * Reserves every line of a booking, or none, for an HTTP caller.
 *
 * 1. Validate the lines (canonical order) and the booking id (canonical lower case).
 * 2. Apply `BookingCreated` through the decision table (`applySagaInput`): a new booking
 *    is reserved (straight into confirmed when a payment waits); a known one replays.
 * 3. A refusal is thrown for the HTTP layer to answer (409/404). It is recorded only when
 *    the booking already has a record; a booking nobody else knows may be asked again.
 */
export async function reserveBooking(
  input: ReserveBookingInput,
  deps: ReserveDeps,
): Promise<ReserveBookingResult> {
  const outcome = await applyBookingCreated(input, deps, { recordRefusal: false });
  if (outcome.refusal) throw outcome.refusal;
  if (!outcome.record) throw new Error('A reserve ended with no record');
  // Someone else's booking with the same lines is not this owner's replay.
  if (input.owner && !mayAct({ kind: 'owner', sub: input.owner.sub }, outcome.record)) {
    throw new BookingConflictError(`Booking ${outcome.record.bookingId} belongs to another caller`, {
      details: { bookingId: outcome.record.bookingId },
    });
  }
  return { outcome: outcome.applied ? 'created' : 'replayed', reservation: outcome.record };
}

/**
 * `BookingCreated` from the saga: never throws a refusal; every refusal is recorded and
 * answered with `InventoryReservationFailed` (the same on every redelivery).
 */
export function applyBookingCreated(
  input: ReserveBookingInput,
  deps: ReserveDeps,
  options: { recordRefusal: boolean } = { recordRefusal: true },
): Promise<SagaOutcome> {
  const lines = validateLines(input.items);
  const waitlist = input.waitlist;
  if (waitlist) {
    const wait = waitlist.maxWaitSeconds;
    if (!Number.isInteger(wait) || wait < MIN_WAITLIST_SECONDS || wait > MAX_WAITLIST_SECONDS) {
      throw new ValidationError(
        `waitlist.maxWaitSeconds must be ${MIN_WAITLIST_SECONDS} to ${MAX_WAITLIST_SECONDS}`,
      );
    }
  }
  return applySagaInput(
    canonicalBookingId(input.bookingId),
    {
      kind: 'BookingCreated',
      lines,
      ttlSeconds: input.ttlSeconds ?? deps.defaultTtlSeconds ?? DEFAULT_RESERVATION_TTL_SECONDS,
      recordRefusal: options.recordRefusal,
      ...(input.owner ? { owner: input.owner } : {}),
      ...(waitlist ? { waitlist } : {}),
    },
    causationOf(input),
    deps,
    // A BookingCreated is almost always for a booking not seen before: write first.
    'absent',
  );
}

export const causationOf = (input: Causation): Causation => ({
  correlationId: input.correlationId,
  ...(input.causationId ? { causationId: input.causationId } : {}),
});
