import { canonicalBookingId } from '../limits.ts';
import { paymentKeyOf } from '../model.ts';
import type { Causation, Dependencies } from '../ports.ts';
import { applySagaInput, type SagaOutcome } from './apply-saga-input.ts';
import { causationOf } from './reserve-booking.ts';

export interface ConfirmBookingInput extends Causation {
  bookingId: string;
  paymentId?: string;
}

/**
 * Applies a successful payment to a booking, whatever order the events came in.
 *
 * 1. The payment's key is its paymentId (or, when the producer sends none, the event id):
 *    a payment already recorded replays its recorded answer.
 * 2. Otherwise the decision table decides: confirm a held booking; remember the payment
 *    until `BookingCreated`; re-reserve straight into confirmed after an expiry, a failed
 *    payment or a refusal (a new generation) if stock allows; refuse with a reason
 *    (`BOOKING_CANCELLED`, `DUPLICATE_PAYMENT`, `STOCK_UNAVAILABLE`) so upstream refunds.
 * Every distinct payment gets exactly one answer, recorded with the booking.
 */
export function confirmBooking(input: ConfirmBookingInput, deps: Dependencies): Promise<SagaOutcome> {
  const paymentKey = paymentKeyOf({
    ...(input.paymentId ? { paymentId: input.paymentId } : {}),
    ...(input.causationId ? { eventId: input.causationId } : {}),
  });
  return applySagaInput(
    canonicalBookingId(input.bookingId),
    {
      kind: 'PaymentSucceeded',
      paymentKey,
      ...(input.paymentId ? { paymentId: input.paymentId } : {}),
    },
    causationOf(input),
    deps,
  );
}
