import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { changeRecordOf } from '../shared/adapters/change-stream.ts';
import { serveChangedItems } from '../shared/adapters/waitlist-changes.ts';
import { domainDependencies } from '../shared/composition.ts';
import { countMetric, logger, metrics } from '../shared/observability.ts';

const deps = domainDependencies();

/**
 * The inventory table's change stream → the waitlist: when an item's row shows units
 * freed while bookings wait on it, its waitlist is served in order. A failure is reported
 * (ReportBatchItemFailures) from the first change of the item that failed; the mapping
 * retries, bisects and finally hands the batch to its on-failure DLQ.
 */
export const handler = async (
  event: DynamoDBStreamEvent,
  context: Context,
): Promise<DynamoDBBatchResponse> => {
  logger.addContext(context);
  try {
    const result = await serveChangedItems(event.Records.map(changeRecordOf), deps);
    if (result.served > 0) countMetric('WaitlistServed', result.served);
    return { batchItemFailures: result.failedAt === undefined ? [] : [{ itemIdentifier: result.failedAt }] };
  } finally {
    metrics.publishStoredMetrics();
  }
};
