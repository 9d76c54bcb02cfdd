import type { Context, ScheduledEvent } from 'aws-lambda';
import { domainDependencies } from '../shared/composition.ts';
import { intEnv } from '../shared/config.ts';
import { expireDueReservations, relayOutbox } from '../shared/domain/use-cases/index.ts';
import { countMetric, logger, metrics } from '../shared/observability.ts';

const deps = domainDependencies();
const batchLimit = intEnv('EXPIRY_BATCH_LIMIT', 200);
/** Stop starting new batches when less than this is left, so a run never times out mid-way. */
const SAFETY_MS = 5_000;

/**
 * Every minute: expire due holds in bounded batches until nothing is due or time runs
 * short (the rest waits in the index for the next run), then relay outbox leftovers. A
 * hold that cannot be expired is logged and counted (`HoldsNotExpired`) and the rest go
 * on; the relay runs whatever the expiry did.
 */
export const handler = async (_event: ScheduledEvent, context: Context) => {
  logger.addContext(context);
  const totals = { expired: 0, skipped: 0, failed: 0, batches: 0, relayed: 0 };
  try {
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
    } finally {
      totals.relayed = (await relayOutbox({ limit: 100 }, deps)).relayed;
      if (totals.expired > 0) countMetric('ReservationsExpired', totals.expired);
      if (totals.failed > 0) countMetric('HoldsNotExpired', totals.failed);
      logger.info('Expiry sweep done', totals);
    }
    return totals;
  } finally {
    metrics.publishStoredMetrics();
  }
};
