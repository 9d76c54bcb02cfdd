import { ReservationNotFoundError } from '../errors.ts';
import { canonicalBookingId } from '../limits.ts';
import { type Actor, mayAct, type ReleaseReason, type Reservation } from '../model.ts';
import type { Causation, Dependencies } from '../ports.ts';
import { applySagaInput, type SagaOutcome } from './apply-saga-input.ts';
import { causationOf } from './reserve-booking.ts';

export interface ReleaseBookingInput extends Causation {
  bookingId: string;
  reason: ReleaseReason;
  /**
   * Who releases. An owner may release only its own reservation and never leaves a
   * record of a booking it cannot see (someone else's booking or none at all:
   * RESERVATION_NOT_FOUND, nothing written). Absent means a service (the saga, an admin).
   */
  actor?: Actor;
}

export interface ReleaseBookingResult extends SagaOutcome {
  /** `released`: units went back to available; `recorded`: the decision was recorded, nothing was held; `unchanged`: nothing to do. */
  outcome: 'released' | 'recorded' | 'unchanged';
  reservation: Reservation;
}

/**
 * Releases a booking: the saga's compensation (`PaymentFailed`, `BookingCancelled`) or a
 * release by hand (HTTP, reason MANUAL).
 *
 * 1. Read the booking; an owner who cannot see it gets RESERVATION_NOT_FOUND.
 * 2. `PaymentFailed` and `BookingCancelled`/MANUAL go through the decision table: a
 *    cancellation is absorbing (held or confirmed units return, nothing can re-reserve
 *    it, waiting payments are refused); a failed payment releases a hold but never a
 *    confirmed booking (a success beats a failure).
 */
export async function releaseBooking(
  input: ReleaseBookingInput,
  deps: Dependencies,
): Promise<ReleaseBookingResult> {
  const bookingId = canonicalBookingId(input.bookingId);
  const { reservation } = await deps.store.getBooking(bookingId);
  const actor = input.actor ?? { kind: 'service' };
  // The owner never changes once recorded and the write is conditioned on the version
  // read here, so this check cannot be raced.
  if (
    actor.kind === 'owner' &&
    (!reservation || reservation.items.length === 0 || !mayAct(actor, reservation))
  ) {
    throw new ReservationNotFoundError(bookingId);
  }
  const outcome = await applySagaInput(
    bookingId,
    input.reason === 'PAYMENT_FAILED'
      ? { kind: 'PaymentFailed' }
      : { kind: 'BookingCancelled', reason: input.reason === 'MANUAL' ? 'MANUAL' : 'CANCELLED' },
    causationOf(input),
    deps,
    reservation,
  );
  const record = outcome.record ?? reservation;
  if (!record) throw new ReservationNotFoundError(bookingId);
  const released =
    outcome.applied &&
    reservation !== undefined &&
    (reservation.status === 'RESERVED' || reservation.status === 'CONFIRMED') &&
    record.status === 'RELEASED';
  return {
    ...outcome,
    outcome: released ? 'released' : outcome.applied ? 'recorded' : 'unchanged',
    reservation: record,
  };
}
