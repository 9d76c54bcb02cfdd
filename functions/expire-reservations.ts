import type { Context, ScheduledEvent } from 'aws-lambda';
import { createDocumentClient, createEventBridgeClient } from '../shared/adapters/aws-clients.ts';
import { systemClock } from '../shared/adapters/clock.ts';
import { DynamoDbInventoryStore } from '../shared/adapters/dynamodb-store.ts';
import { EventBridgePublisher } from '../shared/adapters/eventbridge-publisher.ts';
import { eventBusName, intEnv, tableName } from '../shared/config.ts';
import { expireDueReservations, relayOutbox } from '../shared/domain/use-cases/index.ts';
import { countMetric, logger, logPort, metrics } from '../shared/observability.ts';

const deps = {
  store: new DynamoDbInventoryStore({ client: createDocumentClient(), tableName: tableName() }),
  publisher: new EventBridgePublisher({ client: createEventBridgeClient(), eventBusName: eventBusName() }),
  clock: systemClock,
  log: logPort,
};
const batchLimit = intEnv('EXPIRY_BATCH_LIMIT', 200);
/** Stop starting new batches when less than this is left, so a run never times out mid-way. */
const SAFETY_MS = 5_000;

/**
 * Every minute: expire due holds in bounded batches until nothing is due or time runs
 * short (the rest waits in the index for the next run), then relay outbox leftovers.
 */
export const handler = async (_event: ScheduledEvent, context: Context) => {
  logger.addContext(context);
  let expired = 0;
  let skipped = 0;
  let batches = 0;
  try {
    while (context.getRemainingTimeInMillis() > SAFETY_MS) {
      const result = await expireDueReservations({ limit: batchLimit }, deps);
      expired += result.expired;
      skipped += result.skipped;
      batches++;
      if (result.examined < batchLimit) break;
    }
    const { relayed } = await relayOutbox({ limit: 100 }, deps);
    if (expired > 0) countMetric('ReservationsExpired', expired);
    logger.info('Expiry sweep done', { expired, skipped, batches, relayed });
    return { expired, skipped, batches, relayed };
  } finally {
    metrics.publishStoredMetrics();
  }
};
