import type {
  BookingCancelledData,
  BookingCreatedData,
  PaymentFailedData,
  PaymentSucceededData,
} from '../../events/index.ts';
import { DomainError } from '../domain/errors.ts';
import type { Dependencies } from '../domain/ports.ts';
import { confirmBooking, releaseBooking, reserveBooking } from '../domain/use-cases/index.ts';
import type { ConsumerOutcome, IncomingEvent } from './consumer.ts';

/**
 * What each consumed event does, as functions of the ports: the four saga consumers wire
 * these to SQS, and tests call them directly. Outgoing events keep the incoming
 * correlationId and name the incoming eventId as their cause.
 */

const causationOf = (event: IncomingEvent<unknown>) => ({
  correlationId: event.metadata.correlationId,
  causationId: event.metadata.eventId,
});

export async function onBookingCreated(
  event: IncomingEvent<BookingCreatedData>,
  deps: Dependencies & { defaultTtlSeconds?: number },
): Promise<ConsumerOutcome> {
  const items = event.data.items.map(({ itemId, quantity }) => ({ itemId, quantity }));
  try {
    const result = await reserveBooking(
      { bookingId: event.data.bookingId, items, ...causationOf(event) },
      deps,
    );
    return result.outcome === 'created'
      ? { outcome: 'reserved', metric: { name: 'ReservationsCreated' } }
      : { outcome: 'already-reserved' };
  } catch (error) {
    // The use case already published InventoryReservationFailed; count it and acknowledge.
    if (error instanceof DomainError) {
      return {
        outcome: `reservation-failed:${error.code}`,
        metric: { name: 'ReservationsFailed', reason: error.code },
      };
    }
    throw error;
  }
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
  switch (result.outcome) {
    case 'confirmed':
    case 're-reserved':
      return { outcome: result.outcome, metric: { name: 'ReservationsConfirmed' } };
    case 'confirmation-failed':
      return { outcome: result.outcome, metric: { name: 'ConfirmationsFailed' } };
    default:
      return { outcome: result.outcome };
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
    : { outcome: result.outcome };
}

export const onPaymentFailed = (event: IncomingEvent<PaymentFailedData>, deps: Dependencies) =>
  release(event, 'PAYMENT_FAILED', deps);

export const onBookingCancelled = (event: IncomingEvent<BookingCancelledData>, deps: Dependencies) =>
  release(event, 'CANCELLED', deps);
