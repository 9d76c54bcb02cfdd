import { type PaymentFailedData, paymentFailedContract } from '../events/payment-failed.ts';
import { createConsumer } from '../shared/consumers/consumer.ts';
import { onPaymentFailed } from '../shared/consumers/saga-handlers.ts';
import { consumerComposition } from '../shared/idempotency-composition.ts';

const { deps, persistenceStore, idempotencyExpirySeconds } = consumerComposition();

/** SQS consumer of PaymentFailed (EventBridge rule -> queue -> this function). */
export const handler = createConsumer<PaymentFailedData>({
  contract: paymentFailedContract,
  persistenceStore,
  idempotencyExpirySeconds,
  handle: (event, log) => onPaymentFailed(event, { ...deps, log }),
});
