import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { type ChangeRecord, changeRecordOf } from '../adapters/change-stream.ts';
import type { BusinessMetric } from '../observability.ts';
import { countMetric, logger, metrics } from '../observability.ts';

/** What a table-stream consumer did with a batch: how much, and where to retry from. */
export interface StreamBatchResult {
  done: number;
  /** The sequence number the mapping delivers again from (the first change not handled). */
  failedAt?: string;
}

/**
 * A handler of the table's stream (the publisher, the waitlist server): the changes in
 * stream order go to `consume`; what it did is counted as `metric`; the change it could
 * not handle is reported (ReportBatchItemFailures), so the event source mapping retries
 * from it (bisecting, bounded in attempts and age) and finally hands the batch to its
 * on-failure DLQ.
 */
export function streamConsumer(
  consume: (changes: ChangeRecord[]) => Promise<StreamBatchResult>,
  metric: keyof typeof BusinessMetric,
) {
  return async (event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> => {
    logger.addContext(context);
    try {
      const result = await consume(event.Records.map(changeRecordOf));
      if (result.done > 0) countMetric(metric, result.done);
      return {
        batchItemFailures: result.failedAt === undefined ? [] : [{ itemIdentifier: result.failedAt }],
      };
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}
