import type { Context, ScheduledEvent } from 'aws-lambda';
import { DynamoDbAuditStore } from '../shared/adapters/audit-store.ts';
import { createDocumentClient } from '../shared/adapters/aws-clients.ts';
import { reconcileRepair, tableName } from '../shared/config.ts';
import { reconcile } from '../shared/domain/use-cases/index.ts';
import { countMetric, logger, metrics } from '../shared/observability.ts';

const store = new DynamoDbAuditStore({ client: createDocumentClient(), tableName: tableName() });
const repair = reconcileRepair();

/**
 * Hourly: check stock counters against the ledger since each item's checkpoint; report
 * confirmed drift only (metric InventoryDrift, alarmed) and suspects that cleared on a
 * consistent re-read (InventoryDriftSuspectsCleared, not alarmed). Items whose ledger rows
 * the change stream has not all written yet are logged as lagging and audited next run.
 */
export const handler = async (_event: ScheduledEvent, context: Context) => {
  logger.addContext(context);
  try {
    const result = await reconcile({ repair, now: new Date().toISOString() }, store);
    countMetric('InventoryDrift', result.drifts.length);
    countMetric('InventoryDriftSuspectsCleared', result.suspectsCleared);
    const log = result.drifts.length > 0 ? logger.warn.bind(logger) : logger.info.bind(logger);
    log('Reconciliation done', { ...result, drifts: result.drifts.slice(0, 50) });
    return {
      itemsChecked: result.itemsChecked,
      itemsRead: result.itemsRead,
      ledgerRowsRead: result.ledgerRowsRead,
      lagging: result.lagging.length,
      drifts: result.drifts.length,
    };
  } finally {
    metrics.publishStoredMetrics();
  }
};
