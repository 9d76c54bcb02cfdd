import { type PaymentSucceededData, paymentSucceededContract } from '../events/payment-succeeded.ts';
import { createConsumer } from '../shared/consumers/consumer.ts';
import { onPaymentSucceeded } from '../shared/consumers/saga-handlers.ts';
import { consumerComposition } from '../shared/idempotency-composition.ts';

const { deps, persistenceStore, idempotencyExpirySeconds } = consumerComposition();

/** SQS consumer of PaymentSucceeded (EventBridge rule -> queue -> this function). */
export const handler = createConsumer<PaymentSucceededData>({
  contract: paymentSucceededContract,
  persistenceStore,
  idempotencyExpirySeconds,
  handle: (event, log) => onPaymentSucceeded(event, { ...deps, log }),
});
