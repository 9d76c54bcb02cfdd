/**
 * tsx bench/stages/reconcile.ts [--scale 200]
 * The reconciler's cost per run at 1×, 10× and 100× the history, on DynamoDB Local:
 * requests counted by an SDK middleware, capacity by DynamoDB's formulas (strongly
 * consistent reads 1 RCU per 4 KB, eventually consistent 0.5, standard writes 1 WCU per KB).
 * Also run from `npm run bench` (stage `reconcile`, scale 20 with --quick, 200 without).
 *
 * History: `scale` × {1, 10, 100} finished bookings on 10 items (one or two lines each;
 * a third confirmed, a third released, a third still held), as synthetic rows in the
 * store's layout (reservation row + ledger rows), with counters that agree. Then per size:
 * - `full scan`: what the scan-based reconciler read every hour (the whole table);
 * - `first audit`: the checkpointed reconciler with no checkpoints yet (reads all history, once);
 * - `idle audit`: nothing changed since the last one;
 * - `hourly audit`: after one hour's traffic (50 bookings through the real use cases).
 */
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { startDynamoDbLocal } from '../../local/dynamodb-local.ts';
import { DynamoDbAuditStore } from '../../shared/adapters/audit-store.ts';
import { createDocumentClient } from '../../shared/adapters/aws-clients.ts';
import {
  DynamoDbInventoryStore,
  itemRow,
  newItem,
  reservationRow,
} from '../../shared/adapters/dynamodb-store.ts';
import { domainTableDefinition } from '../../shared/adapters/table-schema.ts';
import type { Reservation } from '../../shared/domain/model.ts';
import type { Clock, EventPublisher, LogPort } from '../../shared/domain/ports.ts';
import { CHECKPOINT_SETTLE_SECONDS } from '../../shared/domain/retention.ts';
import { confirmBooking, reconcile, reserveBooking } from '../../shared/domain/use-cases/index.ts';
import type { DynamoStageContext } from '../context.ts';
import { reconcileSection } from '../report.ts';
import { Capacity, itemSize } from '../stats.ts';

const ITEMS = Array.from({ length: 10 }, (_, i) => `RC-${String(i).padStart(2, '0')}`);
const HOURLY_BOOKINGS = 50;
const aws = { region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } };

export interface RunCost {
  requests: number;
  rcu: number;
  wcu: number;
  ms: number;
  ledgerRowsRead?: number;
  drifts?: number;
}
export interface ReconcileCostRow {
  multiple: number;
  bookings: number;
  tableRows: number;
  tableMiB: number;
  fullScan: RunCost;
  firstAudit: RunCost;
  idleAudit: RunCost;
  hourlyAudit: RunCost;
}
export interface ReconcileCostResult {
  scale: number;
  items: number;
  hourlyBookings: number;
  rows: ReconcileCostRow[];
}

interface MeteredInput {
  ConsistentRead?: boolean;
  Item?: unknown;
  TransactItems?: { Put?: { Item: unknown } }[];
}
interface MeteredOutput {
  Items?: unknown[];
  Item?: unknown;
  Responses?: Record<string, unknown[]>;
}

/** Counts requests, RCU and WCU of everything sent through `client`. */
function meter(client: DynamoDBClient) {
  let c = { requests: 0, rcu: 0, wcu: 0 };
  const size = (row: unknown) => {
    try {
      return itemSize(unmarshall(row as never));
    } catch {
      return itemSize(row);
    }
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const name = String(context.commandName).replace(/Command$/, '');
      const input = (args as { input: MeteredInput }).input;
      const output = (result as { output: MeteredOutput }).output;
      c.requests++;
      const mode = input.ConsistentRead ? 'strong' : 'eventual';
      if (name === 'Query' || name === 'Scan') {
        c.rcu += Capacity.read(
          (output.Items ?? []).reduce((n: number, r: unknown) => n + size(r), 0),
          mode,
        );
      } else if (name === 'GetItem') c.rcu += Capacity.read(size(output.Item), mode);
      else if (name === 'BatchGetItem') {
        for (const rows of Object.values(output.Responses ?? {}) as unknown[][]) {
          for (const r of rows) c.rcu += Capacity.read(size(r), 'strong');
        }
      } else if (name === 'PutItem') c.wcu += Capacity.write(size(input.Item), false);
      else if (name === 'UpdateItem') c.wcu += 1;
      else if (name === 'TransactWriteItems') {
        for (const t of input.TransactItems ?? [])
          c.wcu += Capacity.write(t.Put ? size(t.Put.Item) : 1, true);
      }
      return result;
    },
    { step: 'initialize', name: 'reconcileCostMeter' },
  );
  return {
    async measure<T>(run: () => Promise<T>): Promise<{ cost: RunCost; value: T }> {
      c = { requests: 0, rcu: 0, wcu: 0 };
      const started = performance.now();
      const value = await run();
      return { cost: { ...c, ms: Math.round(performance.now() - started) }, value };
    },
  };
}

export async function reconcileCost(options: {
  endpoint: string;
  scale: number;
}): Promise<ReconcileCostResult> {
  const client = new DynamoDBClient({ ...aws, endpoint: options.endpoint, maxAttempts: 3 });
  const doc = createDocumentClient(client);
  const metered = meter(client);
  const rows: ReconcileCostRow[] = [];
  try {
    for (const multiple of [1, 10, 100]) {
      const tableName = `reconcile-cost-${multiple}-${randomUUID().slice(0, 8)}`;
      await client.send(new CreateTableCommand(domainTableDefinition(tableName)));
      const bookings = options.scale * multiple;
      const tableRows = await writeHistory(doc, tableName, bookings);
      const audit = new DynamoDbAuditStore({ client: doc, tableName });
      const now = () => new Date().toISOString();

      const fullScan = await metered.measure(() => scanAll(doc, tableName));
      const first = await metered.measure(() => reconcile({ repair: false, now: now() }, audit));
      const idle = await metered.measure(() => reconcile({ repair: false, now: now() }, audit));
      await hourOfTraffic(doc, tableName);
      const hourly = await metered.measure(() => reconcile({ repair: false, now: now() }, audit));
      const withAudit = (r: typeof first): RunCost => ({
        ...r.cost,
        ledgerRowsRead: r.value.ledgerRowsRead,
        drifts: r.value.drifts.length,
      });
      rows.push({
        multiple,
        bookings,
        tableRows,
        tableMiB: Number((fullScan.value / 2 ** 20).toFixed(2)),
        fullScan: fullScan.cost,
        firstAudit: withAudit(first),
        idleAudit: withAudit(idle),
        hourlyAudit: withAudit(hourly),
      });
    }
  } finally {
    client.destroy();
  }
  return { scale: options.scale, items: ITEMS.length, hourlyBookings: HOURLY_BOOKINGS, rows };
}

/** Finished history older than the settle window, written directly; returns the row count. */
async function writeHistory(
  doc: ReturnType<typeof createDocumentClient>,
  tableName: string,
  bookings: number,
) {
  const counters = new Map(ITEMS.map((id) => [id, { reserved: 0, confirmed: 0 }]));
  const start = Date.now() - 30 * 24 * 3600_000;
  const pending: Record<string, unknown>[] = [];
  let written = 0;
  const flush = async (all = false) => {
    while (pending.length >= 25 || (all && pending.length > 0)) {
      const batch = pending.splice(0, 25);
      let requests: Record<string, unknown>[] | undefined = batch.map((Item) => ({ PutRequest: { Item } }));
      while (requests && requests.length > 0) {
        const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
        requests = out.UnprocessedItems?.[tableName] as Record<string, unknown>[] | undefined;
      }
      written += batch.length;
    }
  };
  for (let b = 0; b < bookings; b++) {
    const at = new Date(start + b * 1000).toISOString();
    const bookingId = randomUUID();
    const lines = [...new Set([ITEMS[b % 10], ITEMS[(b * 7 + 3) % 10]])].map((itemId, i) => ({
      itemId: itemId as string,
      quantity: 1 + ((b + i) % 3),
    }));
    const fate = b % 3 === 0 ? 'CONFIRMED' : b % 3 === 1 ? 'RELEASED' : 'RESERVED';
    const reservation = {
      reservationId: randomUUID(),
      bookingId,
      status: fate,
      items: lines,
      expiresAt: new Date(Date.parse(at) + 900_000).toISOString(),
      createdAt: at,
      correlationId: bookingId,
      version: fate === 'RESERVED' ? 1 : 2,
      ...(fate === 'CONFIRMED' ? { confirmedAt: at } : {}),
      ...(fate === 'RELEASED' ? { releasedAt: at, releaseReason: 'CANCELLED' } : {}),
    } as unknown as Reservation;
    pending.push(reservationRow(reservation));
    for (const line of lines) {
      const move = (version: number, from: string, to: string) => ({
        pk: `ITEM#${line.itemId}`,
        sk: `MOVE#${at}#${bookingId}#${version}`,
        entity: 'MOVEMENT',
        itemId: line.itemId,
        bookingId,
        reservationId: reservation.reservationId,
        quantity: line.quantity,
        from,
        to,
        at,
        correlationId: bookingId,
      });
      pending.push(move(1, 'available', 'reserved'));
      const c = counters.get(line.itemId) ?? { reserved: 0, confirmed: 0 };
      if (fate === 'CONFIRMED') {
        pending.push(move(2, 'reserved', 'confirmed'));
        c.confirmed += line.quantity;
      } else if (fate === 'RELEASED') pending.push(move(2, 'reserved', 'available'));
      else c.reserved += line.quantity;
    }
    await flush();
  }
  await flush(true);
  for (const itemId of ITEMS) {
    const c = counters.get(itemId) ?? { reserved: 0, confirmed: 0 };
    const total = 10_000_000;
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: itemRow({
          ...newItem(itemId, total),
          availableQuantity: total - c.reserved - c.confirmed,
          reservedQuantity: c.reserved,
          confirmedQuantity: c.confirmed,
        }),
      }),
    );
    written++;
  }
  return written;
}

/** One hour of traffic through the real use cases, decided before the settle window. */
async function hourOfTraffic(doc: ReturnType<typeof createDocumentClient>, tableName: string) {
  const publisher: EventPublisher = { publish: async () => undefined };
  const clock: Clock = { now: () => new Date(Date.now() - 2 * CHECKPOINT_SETTLE_SECONDS * 1000) };
  const log: LogPort = { info() {}, warn() {}, error() {} };
  const deps = { store: new DynamoDbInventoryStore({ client: doc, tableName }), publisher, clock, log };
  for (let b = 0; b < HOURLY_BOOKINGS; b++) {
    const bookingId = randomUUID();
    await reserveBooking(
      { bookingId, items: [{ itemId: ITEMS[b % 3] as string, quantity: 1 }], correlationId: bookingId },
      deps,
    );
    if (b % 2 === 0) await confirmBooking({ bookingId, correlationId: bookingId }, deps);
  }
}

/** Reads every row as the scan-based reconciler did; returns the bytes read. */
async function scanAll(doc: ReturnType<typeof createDocumentClient>, tableName: string): Promise<number> {
  let bytes = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
    for (const row of page.Items ?? []) bytes += itemSize(row);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return bytes;
}

/** The stage as `npm run bench` runs it. */
export function reconcileStage(ctx: DynamoStageContext): Promise<ReconcileCostResult> {
  return reconcileCost({ endpoint: ctx.endpoint, scale: ctx.quick ? 20 : 200 });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const scaleArg = process.argv.indexOf('--scale');
  const scale = scaleArg > 0 ? Number(process.argv[scaleArg + 1]) : 200;
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  const dynamo = await startDynamoDbLocal();
  try {
    const result = await reconcileCost({ endpoint: dynamo.endpoint, scale });
    console.log(reconcileSection(result).join('\n'));
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await dynamo.stop();
  }
}
