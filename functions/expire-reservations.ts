import type { Context, ScheduledEvent } from 'aws-lambda';
import { domainDependencies } from '../shared/composition.ts';
import { intEnv } from '../shared/config.ts';
import { expireDueReservations } from '../shared/domain/use-cases/index.ts';
import { countMetric, logger, metrics } from '../shared/observability.ts';

const deps = domainDependencies();
const batchLimit = intEnv('EXPIRY_BATCH_LIMIT', 200);
/** Stop starting new batches when less than this is left, so a run never times out mid-way. */
const SAFETY_MS = 5_000;

/**
 * Every minute: expire due holds in bounded batches until nothing is due or time runs
 * short (the rest waits in the index for the next run). A hold that cannot be expired is
 * logged and counted (`HoldsNotExpired`) and the rest go on. The sweeper only expires:
 * the change stream publishes what each expiry owes.
 */
export const handler = async (_event: ScheduledEvent, context: Context) => {
  logger.addContext(context);
  const totals = { expired: 0, skipped: 0, failed: 0, batches: 0 };
  try {
    while (context.getRemainingTimeInMillis() > SAFETY_MS) {
      const result = await expireDueReservations({ limit: batchLimit }, deps);
      totals.expired += result.expired;
      totals.skipped += result.skipped;
      totals.failed += result.failed;
      totals.batches++;
      // Holds that failed stay due: stop when a batch made no progress, not only when it was short.
      if (result.examined < batchLimit || result.expired + result.skipped === 0) break;
    }
    if (totals.expired > 0) countMetric('ReservationsExpired', totals.expired);
    if (totals.failed > 0) countMetric('HoldsNotExpired', totals.failed);
    logger.info('Expiry sweep done', totals);
    return totals;
  } finally {
    metrics.publishStoredMetrics();
  }
};
