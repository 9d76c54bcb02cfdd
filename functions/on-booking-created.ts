import { type BookingCreatedData, bookingCreatedContract } from '../events/booking-created.ts';
import { createConsumer } from '../shared/consumers/consumer.ts';
import { onBookingCreated } from '../shared/consumers/saga-handlers.ts';
import { consumerComposition } from '../shared/idempotency-composition.ts';

const { deps, persistenceStore, idempotencyExpirySeconds } = consumerComposition();

/** SQS consumer of BookingCreated (EventBridge rule -> queue -> this function). */
export const handler = createConsumer<BookingCreatedData>({
  contract: bookingCreatedContract,
  persistenceStore,
  idempotencyExpirySeconds,
  handle: (event, log) => onBookingCreated(event, { ...deps, log }),
});
