import type {
  BookingCancelledData,
  BookingCreatedData,
  PaymentFailedData,
  PaymentSucceededData,
} from '../../events/index.ts';
import type { Dependencies } from '../domain/ports.ts';
import {
  applyBookingCreated,
  confirmBooking,
  releaseBooking,
  type SagaOutcome,
} from '../domain/use-cases/index.ts';
import type { ConsumerOutcome, IncomingEvent } from './consumer.ts';

/**
 * What each consumed event does, as functions of the ports: the four saga consumers wire
 * these to SQS, and tests call them directly. Outgoing events keep the incoming
 * correlationId and name the incoming eventId as their cause. None of them catches an
 * error: acknowledge-or-retry is decided in one place, the consumer.
 */

const causationOf = (event: IncomingEvent<unknown>) => ({
  correlationId: event.metadata.correlationId,
  causationId: event.metadata.eventId,
});

/**
 * A BookingCreated that cannot be applied and has no answer to record (a known booking
 * sent again with other lines): it fails, and after its receives waits in the DLQ.
 */
export class UnprocessableEventError extends Error {
  override name = 'UnprocessableEventError' as const;
}

export async function onBookingCreated(
  event: IncomingEvent<BookingCreatedData>,
  deps: Dependencies & { defaultTtlSeconds?: number },
): Promise<ConsumerOutcome> {
  const items = event.data.items.map(({ itemId, quantity }) => ({ itemId, quantity }));
  const { waitlist, priority } = event.data;
  const result = await applyBookingCreated(
    {
      bookingId: event.data.bookingId,
      items,
      ...causationOf(event),
      // The tier comes from the event: only the booking service may send BookingCreated.
      ...(waitlist
        ? { waitlist: { maxWaitSeconds: waitlist.maxWaitSeconds, priority: priority ?? 'standard' } }
        : {}),
    },
    deps,
  );
  if (!result.applied && result.refusal && result.effect === 'replay' && !result.record) {
    throw new UnprocessableEventError(result.refusal.message, { cause: result.refusal });
  }
  if (!result.applied) return { outcome: 'replayed' };
  if (result.refusal) {
    return {
      outcome: `reservation-failed:${result.record?.refusal ?? result.refusal.code}`,
      metric: { name: 'ReservationsFailed', reason: result.record?.refusal ?? result.refusal.code },
    };
  }
  if (result.record?.status === 'WAITLISTED')
    return { outcome: 'waitlisted', metric: { name: 'ReservationsWaitlisted' } };
  return { outcome: result.effect, metric: { name: 'ReservationsCreated' } };
}

export async function onPaymentSucceeded(
  event: IncomingEvent<PaymentSucceededData>,
  deps: Dependencies,
): Promise<ConsumerOutcome> {
  const result = await confirmBooking(
    {
      bookingId: event.data.bookingId,
      ...(event.data.paymentId ? { paymentId: event.data.paymentId } : {}),
      ...causationOf(event),
    },
    deps,
  );
  return describePayment(result);
}

function describePayment(result: SagaOutcome): ConsumerOutcome {
  if (!result.applied) return { outcome: result.effect };
  switch (result.effect) {
    case 'confirm':
    case 're-reserve-paid':
      if (!result.refusal) return { outcome: result.effect, metric: { name: 'ReservationsConfirmed' } };
      return {
        outcome: `${result.effect}:refused`,
        metric: { name: 'ConfirmationsFailed', reason: 'STOCK_UNAVAILABLE' },
      };
    case 'refuse-payment-cancelled':
      return { outcome: result.effect, metric: { name: 'ConfirmationsFailed', reason: 'BOOKING_CANCELLED' } };
    case 'refuse-duplicate-payment':
      return { outcome: result.effect, metric: { name: 'ConfirmationsFailed', reason: 'DUPLICATE_PAYMENT' } };
    default:
      return { outcome: result.effect };
  }
}

async function release(
  event: IncomingEvent<PaymentFailedData | BookingCancelledData>,
  reason: 'PAYMENT_FAILED' | 'CANCELLED',
  deps: Dependencies,
): Promise<ConsumerOutcome> {
  const result = await releaseBooking(
    { bookingId: event.data.bookingId, reason, ...causationOf(event) },
    deps,
  );
  return result.outcome === 'released'
    ? { outcome: result.outcome, metric: { name: 'ReservationsReleased', reason } }
    : { outcome: `${result.outcome}:${result.effect}` };
}

export const onPaymentFailed = (event: IncomingEvent<PaymentFailedData>, deps: Dependencies) =>
  release(event, 'PAYMENT_FAILED', deps);

export const onBookingCancelled = (event: IncomingEvent<BookingCancelledData>, deps: Dependencies) =>
  release(event, 'CANCELLED', deps);
