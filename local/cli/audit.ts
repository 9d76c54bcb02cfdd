/**
 * npm run audit [-- --repair] [--outputs FILE] [--table NAME] [--endpoint URL] [--region R]
 * Reconciles stock counters with the ledger and prints one row per drifting item.
 */
import { DynamoDbAuditStore } from '../../shared/adapters/audit-store.ts';
import { createDocumentClient } from '../../shared/adapters/aws-clients.ts';
import { reconcile } from '../../shared/domain/use-cases/index.ts';
import { target } from './aws.ts';
import { flag } from './outputs.ts';

const args = process.argv.slice(2);
const { outputs, dynamo } = target(args);
const tableName = flag(args, 'table') ?? outputs.TableName;
if (!tableName) {
  console.error('No table: pass --table NAME or --outputs FILE (default .local/outputs.json)');
  process.exit(2);
}
const client = dynamo();
const repair = args.includes('--repair');
const result = await reconcile(
  { repair, now: new Date().toISOString() },
  new DynamoDbAuditStore({ client: createDocumentClient(client), tableName }),
);
console.log(
  `checked ${result.itemsChecked} items, read ${result.ledgerRowsRead} ledger rows of ${result.itemsRead} changed items`,
);
if (result.lagging.length > 0) {
  console.log(
    `not compared, their ledger rows not all written from the stream yet: ${result.lagging.join(', ')} (run again)`,
  );
}
if (result.drifts.length === 0) {
  console.log('no drift');
} else {
  console.table(
    result.drifts.map((d) => ({
      itemId: d.itemId,
      total: d.actual.total,
      available: d.actual.available,
      reserved: d.actual.reserved,
      'expected reserved': d.expected.reserved,
      confirmed: d.actual.confirmed,
      'expected confirmed': d.expected.confirmed,
      action: d.action,
    })),
  );
}
process.exitCode = result.drifts.some((d) => d.action !== 'repaired') ? 1 : 0;
