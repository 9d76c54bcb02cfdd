import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { changeRecordOf, publishChanges } from '../shared/adapters/change-stream.ts';
import { eventPublisher } from '../shared/composition.ts';
import { countMetric, logger, logPort, metrics } from '../shared/observability.ts';

const publisher = eventPublisher();

/**
 * The inventory table's change stream → EventBridge: the transactional outbox is the
 * stream itself. Changes are published in stream order; the first change that cannot be
 * published is reported (ReportBatchItemFailures), so the event source mapping retries from
 * it (bisecting, bounded in attempts and age) and finally hands it to the on-failure DLQ.
 */
export const handler = async (
  event: DynamoDBStreamEvent,
  context: Context,
): Promise<DynamoDBBatchResponse> => {
  logger.addContext(context);
  try {
    const result = await publishChanges(event.Records.map(changeRecordOf), publisher, logPort);
    if (result.published > 0) countMetric('EventsPublished', result.published);
    return { batchItemFailures: result.failedAt === undefined ? [] : [{ itemIdentifier: result.failedAt }] };
  } finally {
    metrics.publishStoredMetrics();
  }
};
