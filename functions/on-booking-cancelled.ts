import { type BookingCancelledData, bookingCancelledContract } from '../events/booking-cancelled.ts';
import { createConsumer } from '../shared/consumers/consumer.ts';
import { onBookingCancelled } from '../shared/consumers/saga-handlers.ts';
import { consumerComposition } from '../shared/idempotency-composition.ts';

const { deps, persistenceStore, idempotencyExpirySeconds } = consumerComposition();

/** SQS consumer of BookingCancelled (EventBridge rule -> queue -> this function). */
export const handler = createConsumer<BookingCancelledData>({
  contract: bookingCancelledContract,
  persistenceStore,
  idempotencyExpirySeconds,
  handle: (event, log) => onBookingCancelled(event, { ...deps, log }),
});
