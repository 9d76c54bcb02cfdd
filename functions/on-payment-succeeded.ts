import { consumedEvents, type PaymentSucceededData } from '../events/index.ts';
import { createConsumer } from '../shared/consumers/consumer.ts';
import { onPaymentSucceeded } from '../shared/consumers/saga-handlers.ts';
import { consumerWiring } from '../shared/consumers/wiring.ts';

const { deps, persistenceStore, idempotencyExpirySeconds } = consumerWiring();

/** SQS consumer of PaymentSucceeded (EventBridge rule -> queue -> this function). */
export const handler = createConsumer<PaymentSucceededData>({
  contract: consumedEvents.PaymentSucceeded,
  persistenceStore,
  idempotencyExpirySeconds,
  // Two payments of one booking are two events: each gets its own answer.
  idempotencyKey: '[detailType, data.bookingId, data.paymentId || metadata.eventId]',
  handle: (event, log) => onPaymentSucceeded(event, { ...deps, log }),
});
