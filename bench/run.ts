/**
 * npm run bench [-- --quick] [--stages contention,saga,coldstart,cost,expiry,reconcile]
 * Runs the benchmark suite on this machine, writes bench/results/<date>.json and
 * regenerates BENCHMARKS.md with tables and SVG plots (bench/plots/).
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { CreateTableCommand, DynamoDBClient, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { BatchWriteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import cliProgress from 'cli-progress';
import { consumedEvents } from '../events/index.ts';
import { startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { createDocumentClient } from '../shared/adapters/aws-clients.ts';
import { ManualClock, systemClock } from '../shared/adapters/clock.ts';
import {
  DynamoDbInventoryStore,
  itemRow,
  newItem,
  reservationRow,
} from '../shared/adapters/dynamodb-store.ts';
import { domainTableDefinition, idempotencyTableDefinition } from '../shared/adapters/table-schema.ts';
import { createConsumer } from '../shared/consumers/consumer.ts';
import { onBookingCreated, onPaymentFailed, onPaymentSucceeded } from '../shared/consumers/saga-handlers.ts';
import { reservationIdFor } from '../shared/domain/event-ids.ts';
import type { EventPublisher, OutgoingEvent } from '../shared/domain/ports.ts';
import { expireDueReservations, reserveBooking } from '../shared/domain/use-cases/index.ts';
import { reconcileCost, reconcileCostMarkdown } from './reconcile-cost.ts';
import { Capacity, itemSize, median, percentile } from './stats.ts';
import { groupedBars, stackedBars } from './svg.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const stagesArg = args.find((a) => a.startsWith('--stages='))?.split('=')[1];
const stages = new Set((stagesArg ?? 'contention,saga,coldstart,cost,expiry,reconcile').split(','));
const root = process.cwd();
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const machine = {
  cores: os.cpus().length,
  cpu: os.cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  platform: `${os.platform()} ${os.arch()}`,
  date: new Date().toISOString(),
  mode: quick ? 'quick' : 'full',
};
const bars = new cliProgress.MultiBar(
  {
    format: ' {stage} |{bar}| {value}/{total} {detail}',
    hideCursor: true,
    clearOnComplete: false,
    noTTYOutput: true,
    notTTYSchedule: 5000,
  },
  cliProgress.Presets.shades_classic,
);
const results: Record<string, unknown> = { machine };
const silentPublisher: EventPublisher = { publish: async () => undefined };

const aws = { region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } };

async function pool<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        out[i] = await task(i);
      }
    }),
  );
  return out;
}

// ---------------------------------------------------------------- DynamoDB Local stages
const dynamo =
  stages.has('contention') || stages.has('cost') || stages.has('expiry') || stages.has('reconcile')
    ? await startDynamoDbLocal()
    : undefined;
const ddbClient = dynamo
  ? new DynamoDBClient({ ...aws, endpoint: dynamo.endpoint, maxAttempts: 1 })
  : undefined;
const doc = ddbClient ? createDocumentClient(ddbClient) : undefined;

async function freshTable(prefix: string) {
  if (!ddbClient) throw new Error('no DynamoDB');
  const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
  await ddbClient.send(new CreateTableCommand(domainTableDefinition(tableName)));
  return tableName;
}

async function seed(tableName: string, itemId: string, total: number) {
  await doc?.send(new PutCommand({ TableName: tableName, Item: itemRow(newItem(itemId, total)) }));
}

try {
  if (stages.has('contention')) results.contention = await contention();
  if (stages.has('cost')) results.cost = await costModel();
  if (stages.has('expiry')) results.expiry = await expiryScaling();
  if (dynamo && stages.has('reconcile')) {
    results.reconcile = await reconcileCost({ endpoint: dynamo.endpoint, scale: quick ? 20 : 200 });
  }
  if (stages.has('saga') || stages.has('coldstart')) {
    const sagaAndCold = await sagaLatency();
    Object.assign(results, sagaAndCold);
  }
} finally {
  bars.stop();
  ddbClient?.destroy();
  await dynamo?.stop();
}

const day = machine.date.slice(0, 10);
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(
  join(root, 'bench', 'results', `${day}${quick ? '-quick' : ''}.json`),
  `${JSON.stringify(results, null, 2)}\n`,
);
writeReport(results);
console.log(`\nwrote bench/results/${day}${quick ? '-quick' : ''}.json and BENCHMARKS.md`);
process.exit(0);

// ---------------------------------------------------------------- 1. contention
async function contention() {
  const concurrencies = [1, 10, 50];
  const attempts = 500;
  const repeats = quick ? 1 : 3;
  const impls = ['ours', 'bare-transaction', 'naive-read-then-write'] as const;
  const bar = bars.create(impls.length * concurrencies.length * repeats, 0, {
    stage: 'contention',
    detail: '',
  });
  const rows: Record<string, unknown>[] = [];
  for (const concurrency of concurrencies) {
    for (const impl of impls) {
      const runs: { successes: number; oversold: number; goodput: number; p50: number; p99: number }[] = [];
      for (let r = 0; r < repeats; r++) {
        bar.update({ detail: `${impl} c=${concurrency}` });
        const tableName = await freshTable('contention');
        await seed(tableName, 'HOT', 100);
        const store = new DynamoDbInventoryStore({ client: doc!, tableName });
        const deps = { store, publisher: silentPublisher, clock: systemClock };
        const latencies: number[] = [];
        const started = performance.now();
        const outcomes = await pool(attempts, concurrency, async () => {
          const t0 = performance.now();
          let ok = false;
          try {
            ok = await attempt(impl, tableName, deps);
          } catch {
            ok = false;
          }
          latencies.push(performance.now() - t0);
          return ok;
        });
        const wall = (performance.now() - started) / 1000;
        const successes = outcomes.filter(Boolean).length;
        const item = (
          await doc!.send(
            new GetCommand({
              TableName: tableName,
              Key: { pk: 'ITEM#HOT', sk: 'ITEM' },
              ConsistentRead: true,
            }),
          )
        ).Item;
        // Oversold: units promised beyond the stock (successes over 100), or counters that went negative.
        const oversold = Math.max(0, successes - 100, -Number(item?.availableQuantity ?? 0));
        runs.push({
          successes,
          oversold,
          goodput: successes / wall,
          p50: percentile(latencies, 50),
          p99: percentile(latencies, 99),
        });
        bar.increment();
      }
      rows.push({
        impl,
        concurrency,
        attempts,
        repeats,
        successes: median(runs.map((x) => x.successes)),
        oversold: Math.max(...runs.map((x) => x.oversold)),
        goodputPerSecond: median(runs.map((x) => x.goodput)),
        p50Ms: median(runs.map((x) => x.p50)),
        p99Ms: median(runs.map((x) => x.p99)),
      });
    }
  }
  const find = (impl: string, c: number) =>
    rows.find((r) => r.impl === impl && r.concurrency === c) as { p50Ms: number; goodputPerSecond: number };
  const overhead = concurrencies.map((c) => ({
    concurrency: c,
    p50Ratio: find('ours', c).p50Ms / find('bare-transaction', c).p50Ms,
    goodputRatio: find('ours', c).goodputPerSecond / find('bare-transaction', c).goodputPerSecond,
  }));
  return { rows, overhead };
}

async function attempt(
  impl: string,
  tableName: string,
  deps: Parameters<typeof reserveBooking>[1],
): Promise<boolean> {
  const bookingId = randomUUID();
  if (impl === 'ours') {
    try {
      await reserveBooking(
        { bookingId, items: [{ itemId: 'HOT', quantity: 1 }], correlationId: 'bench' },
        deps,
      );
      return true;
    } catch {
      return false;
    }
  }
  if (impl === 'bare-transaction') {
    try {
      await ddbClient!.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Update: {
                TableName: tableName,
                Key: { pk: { S: 'ITEM#HOT' }, sk: { S: 'ITEM' } },
                UpdateExpression:
                  'SET availableQuantity = availableQuantity - :one, reservedQuantity = reservedQuantity + :one',
                ConditionExpression: 'availableQuantity >= :one',
                ExpressionAttributeValues: { ':one': { N: '1' } },
              },
            },
            {
              Put: {
                TableName: tableName,
                Item: {
                  pk: { S: `BOOKING#${bookingId}` },
                  sk: { S: 'RESERVATION' },
                  status: { S: 'RESERVED' },
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
      return true;
    } catch {
      return false;
    }
  }
  // Naive: read, decide in the application, write without a condition.
  const item = (
    await doc!.send(
      new GetCommand({ TableName: tableName, Key: { pk: 'ITEM#HOT', sk: 'ITEM' }, ConsistentRead: true }),
    )
  ).Item;
  const available = Number(item?.availableQuantity ?? 0);
  if (available < 1) return false;
  await doc!.send(
    new UpdateCommand({
      TableName: tableName,
      Key: { pk: 'ITEM#HOT', sk: 'ITEM' },
      UpdateExpression: 'SET availableQuantity = :next, reservedQuantity = reservedQuantity + :one',
      ExpressionAttributeValues: { ':next': available - 1, ':one': 1 },
    }),
  );
  return true;
}

// ---------------------------------------------------------------- 4. cost model
interface Counted {
  requests: Record<string, number>;
  rcu: number;
  wcu: number;
}

function countingClient(): { client: DynamoDBClient; counted: Counted; reset(): Counted } {
  const client = new DynamoDBClient({ ...aws, endpoint: dynamo!.endpoint });
  let counted: Counted = { requests: {}, rcu: 0, wcu: 0 };
  client.middlewareStack.add(
    (next, context) => async (a) => {
      const result = await next(a);
      const name = String(context.commandName).replace(/Command$/, '');
      const input = (a as { input: Record<string, any> }).input;
      const output = (result as { output: Record<string, any> }).output;
      counted.requests[name] = (counted.requests[name] ?? 0) + 1;
      // The document client may hand over native values or attribute values: size either.
      const size = (item: unknown) => {
        if (!item) return 1;
        try {
          return itemSize(unmarshall(item as never));
        } catch {
          return itemSize(item);
        }
      };
      switch (name) {
        case 'GetItem':
          counted.rcu += Capacity.read(size(output.Item), input.ConsistentRead ? 'strong' : 'eventual');
          break;
        case 'Query':
        case 'Scan':
          counted.rcu += Capacity.read(
            (output.Items ?? []).reduce((n: number, i: unknown) => n + size(i), 0),
            input.ConsistentRead ? 'strong' : 'eventual',
          );
          break;
        case 'BatchGetItem':
          for (const rows of Object.values(output.Responses ?? {}) as unknown[][]) {
            for (const row of rows) counted.rcu += Capacity.read(size(row), 'strong');
          }
          break;
        case 'PutItem':
          counted.wcu += Capacity.write(size(input.Item), false);
          break;
        case 'UpdateItem':
        case 'DeleteItem':
          // Our item, booking and idempotency rows are all under 1 KB (measured): 1 WCU.
          counted.wcu += Capacity.write(1, false);
          break;
        case 'BatchWriteItem':
          for (const reqs of Object.values(input.RequestItems ?? {}) as Record<string, any>[][]) {
            for (const r of reqs)
              counted.wcu += Capacity.write(r.PutRequest ? size(r.PutRequest.Item) : 1, false);
          }
          break;
        case 'TransactWriteItems':
          for (const t of input.TransactItems ?? [])
            counted.wcu += Capacity.write(t.Put ? size(t.Put.Item) : 1, true);
          break;
      }
      return result;
    },
    { step: 'initialize', name: 'capacityCounter' },
  );
  return {
    client,
    counted,
    reset() {
      const snapshot = counted;
      counted = { requests: {}, rcu: 0, wcu: 0 };
      return snapshot;
    },
  };
}

async function costModel() {
  const prices = JSON.parse(readFileSync(join(root, 'bench', 'prices.json'), 'utf8'));
  const counting = countingClient();
  const tableName = await freshTable('cost');
  const idemTable = `cost-idem-${randomUUID().slice(0, 8)}`;
  await ddbClient!.send(new CreateTableCommand(idempotencyTableDefinition(idemTable)));
  await seed(tableName, 'COST-1', 10_000_000);
  const published: OutgoingEvent[] = [];
  const clock = new ManualClock(new Date());
  const deps = {
    store: new DynamoDbInventoryStore({ client: createDocumentClient(counting.client), tableName }),
    publisher: { publish: async (e: readonly OutgoingEvent[]) => void published.push(...e) },
    clock,
    defaultTtlSeconds: 900,
  };
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: idemTable,
    awsSdkV3Client: counting.client,
  });
  const consumer = (contract: keyof typeof consumedEvents, handle: (e: never) => Promise<unknown>) =>
    createConsumer({
      contract: consumedEvents[contract],
      persistenceStore,
      idempotencyExpirySeconds: 86_400,
      handle: handle as never,
    });
  const created = consumer('BookingCreated', (e) => onBookingCreated(e, deps));
  const paid = consumer('PaymentSucceeded', (e) => onPaymentSucceeded(e, deps));
  const failed = consumer('PaymentFailed', (e) => onPaymentFailed(e, deps));
  const samples = (type: string, bookingId: string) => {
    const data =
      type === 'BookingCreated' ? { bookingId, items: [{ itemId: 'COST-1', quantity: 1 }] } : { bookingId };
    return {
      Records: [
        {
          messageId: randomUUID(),
          receiptHandle: 'r',
          body: JSON.stringify({
            version: '0',
            id: randomUUID(),
            'detail-type': type,
            source: type.startsWith('Payment') ? 'payment-service' : 'booking-service',
            account: '000000000000',
            time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
            region: 'us-east-1',
            resources: [],
            detail: {
              metadata: {
                eventId: randomUUID(),
                correlationId: bookingId,
                occurredAt: new Date().toISOString(),
                schemaVersion: '1',
              },
              data,
            },
          }),
          attributes: {
            ApproximateReceiveCount: '1',
            SentTimestamp: '0',
            SenderId: 'x',
            ApproximateFirstReceiveTimestamp: '0',
          },
          messageAttributes: {},
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q',
          awsRegion: 'us-east-1',
        },
      ],
    } as never;
  };
  const ctx = { getRemainingTimeInMillis: () => 10_000, functionName: 'bench', awsRequestId: 'x' } as never;
  const durations: number[] = [];
  const timed = async (fn: () => Promise<unknown>) => {
    const t0 = performance.now();
    await fn();
    durations.push(performance.now() - t0);
  };
  const n = quick ? 20 : 100;
  const bar = bars.create(n * 3, 0, { stage: 'cost model', detail: '' });
  const paths: Record<
    string,
    { ddb: Counted; lambdaInvocations: number; events: number; sqsMessages: number; apiRequests: number }
  > = {};
  for (const path of ['happy', 'compensation', 'expiry'] as const) {
    published.length = 0;
    counting.reset();
    let lambdaInvocations = 0;
    let sqsMessages = 0;
    for (let i = 0; i < n; i++) {
      const bookingId = randomUUID();
      await timed(() => created(samples('BookingCreated', bookingId), ctx));
      lambdaInvocations++;
      sqsMessages++;
      if (path === 'happy') {
        await timed(() => paid(samples('PaymentSucceeded', bookingId), ctx));
        lambdaInvocations++;
        sqsMessages++;
      } else if (path === 'compensation') {
        await timed(() => failed(samples('PaymentFailed', bookingId), ctx));
        lambdaInvocations++;
        sqsMessages++;
      }
      bar.increment();
    }
    if (path === 'expiry') {
      clock.advance(16 * 60_000);
      // The minute sweeper handles many bookings per run: its invocations are not per booking.
      for (;;) {
        const r = await expireDueReservations({ limit: 200 }, deps);
        if (r.examined < 200) break;
      }
    }
    const ddb = counting.reset();
    paths[path] = {
      ddb: {
        requests: Object.fromEntries(Object.entries(ddb.requests).map(([k, v]) => [k, v / n])),
        rcu: ddb.rcu / n,
        wcu: ddb.wcu / n,
      },
      lambdaInvocations: lambdaInvocations / n,
      events: published.length / n,
      sqsMessages: sqsMessages / n,
      apiRequests: 0,
    };
  }
  const gbSeconds = (invocations: number) => invocations * 0.5 * (median(durations) / 1000);
  const dollarsPerMillion = Object.fromEntries(
    Object.entries(paths).map(([path, p]) => {
      const parts = {
        'DynamoDB writes': p.ddb.wcu * prices.dynamodb.perMillionWriteRequestUnits,
        'DynamoDB reads': p.ddb.rcu * prices.dynamodb.perMillionReadRequestUnits,
        'Lambda requests': p.lambdaInvocations * prices.lambda.perMillionRequests,
        'Lambda GB-s': gbSeconds(p.lambdaInvocations) * 1e6 * prices.lambda.perGbSecondArm64,
        // Per message: EventBridge's SendMessage, the mapping's ReceiveMessage and DeleteMessage.
        'SQS requests': p.sqsMessages * 3 * prices.sqs.perMillionRequests,
        'EventBridge events': p.events * prices.eventbridge.perMillionCustomEvents,
        'API requests': p.apiRequests * prices.apiGatewayHttp.perMillionRequests,
      };
      return [path, parts];
    }),
  );
  return {
    bookingsPerPath: n,
    medianHandlerMs: median(durations),
    memoryGb: 0.5,
    paths,
    dollarsPerMillion,
    prices,
  };
}

// ---------------------------------------------------------------- 5. expiry scaling
async function expiryScaling() {
  const K = 1_000;
  const Ms = quick ? [1_000, 10_000] : [1_000, 100_000];
  const bar = bars.create(
    Ms.reduce((a, b) => a + b + K, 0),
    0,
    { stage: 'expiry scaling', detail: 'loading' },
  );
  const rows: Record<string, number>[] = [];
  for (const M of Ms) {
    const counting = countingClient();
    const tableName = await freshTable('expiry');
    await seed(tableName, 'EXP', 10_000_000);
    const now = new Date('2026-06-01T12:00:00.000Z');
    const rowsToLoad = K + M;
    for (let i = 0; i < rowsToLoad; i += 25) {
      const batch = Array.from({ length: Math.min(25, rowsToLoad - i) }, (_, j) => {
        const bookingId = randomUUID();
        const expiresAt = new Date(now.getTime() + (i + j < K ? -60_000 : 3_600_000)).toISOString();
        return {
          PutRequest: {
            Item: reservationRow({
              reservationId: reservationIdFor(bookingId),
              bookingId,
              status: 'RESERVED',
              items: [{ itemId: 'EXP', quantity: 1 }],
              expiresAt,
              createdAt: now.toISOString(),
              correlationId: 'bench',
              version: 1,
              generation: 0,
            }),
          },
        };
      });
      await doc!.send(new BatchWriteCommand({ RequestItems: { [tableName]: batch } }));
      bar.increment(batch.length, { detail: `loading M=${M}` });
    }
    await doc!.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: 'ITEM#EXP', sk: 'ITEM' },
        UpdateExpression: 'SET availableQuantity = availableQuantity - :n, reservedQuantity = :n',
        ExpressionAttributeValues: { ':n': rowsToLoad },
      }),
    );
    const deps = {
      store: new DynamoDbInventoryStore({ client: createDocumentClient(counting.client), tableName }),
      publisher: silentPublisher,
      clock: new ManualClock(now),
    };
    counting.reset();
    const t0 = performance.now();
    let expired = 0;
    for (;;) {
      const r = await expireDueReservations({ limit: 200 }, deps);
      expired += r.expired;
      if (r.examined < 200) break;
    }
    const seconds = (performance.now() - t0) / 1000;
    const c = counting.reset();
    rows.push({
      K,
      M,
      expired,
      seconds,
      requests: Object.values(c.requests).reduce((a, b) => a + b, 0),
      rcu: c.rcu,
      wcu: c.wcu,
    });
  }
  return { rows, requestRatio: (rows[1]?.requests ?? 0) / (rows[0]?.requests ?? 1) };
}

// ---------------------------------------------------------------- 2 and 3. saga latency, cold start
async function sagaLatency() {
  const { startLocalCloud } = await import('../local/cloud.ts');
  const out: Record<string, unknown> = {};
  const cloud = await startLocalCloud({
    edgePort: Number(process.env.LOCAL_AWS_PORT ?? 4566),
    httpPort: Number(process.env.LOCAL_HTTP_PORT ?? 3000),
    seed: false,
    functionEnv: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
  });
  try {
    if (stages.has('coldstart')) out.coldStart = coldStart(cloud.outputs);
    if (!stages.has('saga')) return out;
    const ddb = new DynamoDBClient({ ...aws, endpoint: cloud.urls.edge });
    const eb = new EventBridgeClient({ ...aws, endpoint: cloud.urls.edge });
    await createDocumentClient(ddb).send(
      new PutCommand({ TableName: cloud.outputs.TableName, Item: itemRow(newItem('BENCH', 10_000_000)) }),
    );
    const seen = new Map<string, number>();
    cloud.bus.onEvent((e) => {
      const data = (e.detail as { data?: { bookingId?: string } }).data;
      if (data?.bookingId) seen.set(`${e['detail-type']}:${data.bookingId}`, performance.now());
    });
    const put = (type: string, source: string, data: Record<string, unknown>) =>
      eb.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: cloud.outputs.EventBusName,
              Source: source,
              DetailType: type,
              Detail: JSON.stringify({
                metadata: {
                  eventId: randomUUID(),
                  correlationId: randomUUID(),
                  occurredAt: new Date().toISOString(),
                  schemaVersion: '1',
                },
                data,
              }),
            },
          ],
        }),
      );
    const waitFor = async (key: string, timeoutMs = 30_000) => {
      const deadline = performance.now() + timeoutMs;
      while (!seen.has(key)) {
        if (performance.now() > deadline) throw new Error(`timeout waiting for ${key}`);
        await new Promise((r) => setTimeout(r, 2));
      }
      return seen.get(key) as number;
    };
    // Warm every consumer once (cold starts are reported separately).
    const warm = randomUUID();
    await put('BookingCreated', 'booking-service', {
      bookingId: warm,
      items: [{ itemId: 'BENCH', quantity: 1 }],
    });
    await waitFor(`InventoryReserved:${warm}`);
    await put('PaymentSucceeded', 'payment-service', { bookingId: warm });
    await waitFor(`InventoryConfirmed:${warm}`);

    const bookings = quick ? 60 : 200;
    const bar = bars.create(bookings, 0, { stage: 'saga latency', detail: '' });
    const reserveMs: number[] = [];
    const confirmMs: number[] = [];
    // Ten bookings in flight at a time: a steady flow, not a burst.
    await pool(bookings, 10, async () => {
      const bookingId = randomUUID();
      const t0 = performance.now();
      await put('BookingCreated', 'booking-service', {
        bookingId,
        items: [{ itemId: 'BENCH', quantity: 1 }],
      });
      reserveMs.push((await waitFor(`InventoryReserved:${bookingId}`)) - t0);
      const t1 = performance.now();
      await put('PaymentSucceeded', 'payment-service', { bookingId, paymentId: 'p' });
      confirmMs.push((await waitFor(`InventoryConfirmed:${bookingId}`)) - t1);
      bar.increment();
    });
    out.saga = {
      bookings,
      inFlight: 10,
      toReservedMs: { p50: percentile(reserveMs, 50), p99: percentile(reserveMs, 99) },
      toConfirmedMs: { p50: percentile(confirmMs, 50), p99: percentile(confirmMs, 99) },
    };

    // Sustained rate: offer BookingCreated at rising rates; sustained while the backlog drains within a second.
    const sqs = new SQSClient({ ...aws, endpoint: cloud.urls.edge });
    const queueUrl = (JSON.parse(cloud.outputs.QueueUrls ?? '{}') as Record<string, string>)
      .BookingCreatedQueue;
    const rates = quick ? [20, 50, 100] : [20, 50, 100, 200];
    const seconds = quick ? 3 : 5;
    const rateBar = bars.create(rates.length, 0, { stage: 'sustained rate', detail: '' });
    const rateRows: {
      rate: number;
      offered: number;
      processed: number;
      backlogAfter1s: number;
      sustained: boolean;
    }[] = [];
    for (const rate of rates) {
      const ids: string[] = [];
      const start = performance.now();
      for (let i = 0; i < rate * seconds; i++) {
        const due = start + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const bookingId = randomUUID();
        ids.push(bookingId);
        void put('BookingCreated', 'booking-service', {
          bookingId,
          items: [{ itemId: 'BENCH', quantity: 1 }],
        });
      }
      await new Promise((r) => setTimeout(r, 1000));
      const processed = ids.filter((id) => seen.has(`InventoryReserved:${id}`)).length;
      const attrs = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages'],
        }),
      );
      const backlog = Number(attrs.Attributes?.ApproximateNumberOfMessages ?? 0) + (ids.length - processed);
      rateRows.push({
        rate,
        offered: ids.length,
        processed,
        backlogAfter1s: backlog,
        sustained: backlog <= rate,
      });
      rateBar.increment({ detail: `${rate}/s` });
      // Drain before the next rate.
      const deadline = performance.now() + 60_000;
      while (ids.some((id) => !seen.has(`InventoryReserved:${id}`)) && performance.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    out.sustained = {
      seconds,
      rows: rateRows,
      maxSustainedPerSecond: Math.max(0, ...rateRows.filter((r) => r.sustained).map((r) => r.rate)),
    };
    sqs.destroy();
    ddb.destroy();
    eb.destroy();
  } finally {
    await cloud.stop();
  }
  return out;
}

function coldStart(outputs: Record<string, string>) {
  const assemblyDir = join(root, 'cdk.local.out');
  const manifest = JSON.parse(readFileSync(join(assemblyDir, 'manifest.json'), 'utf8'));
  const stack = Object.values(
    manifest.artifacts as Record<string, { type: string; properties?: { templateFile?: string } }>,
  ).find((a) => a.type === 'aws:cloudformation:stack');
  const template = JSON.parse(
    readFileSync(join(assemblyDir, String(stack?.properties?.templateFile)), 'utf8'),
  );
  const runs = quick ? 7 : 20;
  const tmp = mkdtempSync(join(os.tmpdir(), 'coldstart-'));
  writeFileSync(
    join(tmp, 'hello.mjs'),
    'export const handler = async () => ({ statusCode: 200, body: "hello" });\n',
  );
  const measure = (file: string, env: Record<string, string>) => {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const stdout = execFileSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const t=performance.now();await import(${JSON.stringify(`file://${file}`)});console.log(performance.now()-t)`,
        ],
        { env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', ...env } },
      );
      times.push(Number(String(stdout).trim()));
    }
    return median(times);
  };
  const helloMs = measure(join(tmp, 'hello.mjs'), {});
  const functions = Object.entries(
    template.Resources as Record<
      string,
      { Type: string; Properties: any; Metadata?: Record<string, string> }
    >,
  )
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
    .map(([id, r]) => {
      const file = join(assemblyDir, String(r.Metadata?.['aws:asset:path']), 'index.mjs');
      const env = Object.fromEntries(
        Object.entries(r.Properties.Environment?.Variables ?? {}).map(([k, v]) => [
          k,
          typeof v === 'string' ? v : `local-${k}`,
        ]),
      );
      const sizeKb = readFileSync(file).length / 1024;
      const initMs = measure(file, {
        ...env,
        TABLE_NAME: outputs.TableName ?? 't',
        EVENT_BUS_NAME: 'b',
        IDEMPOTENCY_TABLE_NAME: 'i',
      });
      return {
        function: id.replace(/^Stateless/, '').replace(/[A-F0-9]{8}$/, ''),
        sizeKb,
        initMs,
        initRatio: initMs / helloMs,
        withinSizeBudget: sizeKb <= 250,
        withinInitBudget: initMs <= 2 * helloMs,
      };
    })
    .sort((a, b) => b.sizeKb - a.sizeKb);
  return { runs, helloWorldInitMs: helloMs, functions };
}

// ---------------------------------------------------------------- report
function writeReport(r: Record<string, any>) {
  const plots = join(root, 'bench', 'plots');
  mkdirSync(plots, { recursive: true });
  const m = r.machine;
  const lines: string[] = [
    '# Benchmarks',
    '',
    `Generated by \`npm run bench${quick ? ' -- --quick' : ''}\` on ${m.date.slice(0, 10)}: ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}. Every figure below was measured in this run (medians of repeated runs where stated); ratios compare implementations measured side by side in the same run. Rerun with \`npm run bench\` (full) or \`npm run bench -- --quick\` (under 3 minutes). Raw numbers: \`bench/results/\`.`,
    '',
    "DynamoDB Local is the official emulator: it serialises transactions and never reports `TransactionConflict`, so absolute latencies are not DynamoDB's; comparisons between implementations on the same emulator are meaningful.",
    '',
  ];
  if (r.contention) {
    const rows = r.contention.rows as Record<string, any>[];
    lines.push(
      '## 1. Contention: one-unit reserves of one item with stock 100',
      '',
      `500 attempts per run at each concurrency, ${rows[0]?.repeats} run(s) each (median; oversold is the worst run). *ours* is the full use case (consistent booking read, transaction with reservation, item update, ledger and outbox rows; publishing stubbed out). *bare-transaction* is the minimal conditional \`TransactWriteItems\` (item update + reservation put). *naive* reads the item and then writes without a condition.`,
      '',
      '| implementation | concurrency | successes | oversold units | goodput (reserves/s) | p50 (ms) | p99 (ms) |',
      '|---|---|---|---|---|---|---|',
      ...rows.map(
        (x) =>
          `| ${x.impl} | ${x.concurrency} | ${x.successes} | ${x.oversold} | ${x.goodputPerSecond.toFixed(1)} | ${x.p50Ms.toFixed(1)} | ${x.p99Ms.toFixed(1)} |`,
      ),
      '',
      '| concurrency | p50 latency, ours / bare | goodput, ours / bare |',
      '|---|---|---|',
      ...(r.contention.overhead as Record<string, number>[]).map(
        (o) =>
          `| ${o.concurrency} | ${Number(o.p50Ratio).toFixed(2)} | ${Number(o.goodputRatio).toFixed(2)} |`,
      ),
      '',
      '![p99 latency by concurrency](bench/plots/contention-p99.svg)',
      '',
    );
    const impls = [...new Set(rows.map((x) => x.impl))];
    const concurrencies = [...new Set(rows.map((x) => x.concurrency))];
    writeFileSync(
      join(plots, 'contention-p99.svg'),
      groupedBars({
        title: 'Reserve p99 latency on DynamoDB Local',
        unit: 'ms',
        groups: concurrencies.map((c) => `concurrency ${c}`),
        series: impls.map((impl) => ({
          name: impl,
          values: concurrencies.map(
            (c) => rows.find((x) => x.impl === impl && x.concurrency === c)?.p99Ms ?? 0,
          ),
        })),
      }),
    );
  }
  if (r.saga) {
    lines.push(
      '## 2. Saga latency through the local cloud',
      '',
      `${r.saga.bookings} bookings, ${r.saga.inFlight} in flight at a time, through \`npm start\`'s local cloud (EventBridge emulator -> rule -> SQS (fauxqs) -> event source mapping -> consumer in a worker thread -> DynamoDB Local -> PutEvents). Timed from the \`PutEvents\` call to our event being put on the bus.`,
      '',
      '| from | to | p50 (ms) | p99 (ms) |',
      '|---|---|---|---|',
      `| BookingCreated put | InventoryReserved published | ${r.saga.toReservedMs.p50.toFixed(1)} | ${r.saga.toReservedMs.p99.toFixed(1)} |`,
      `| PaymentSucceeded put | InventoryConfirmed published | ${r.saga.toConfirmedMs.p50.toFixed(1)} | ${r.saga.toConfirmedMs.p99.toFixed(1)} |`,
      '',
    );
  }
  if (r.sustained) {
    lines.push(
      `Sustained rate: BookingCreated offered at a fixed rate for ${r.sustained.seconds} s each; sustained while the backlog one second after the last event is at most one second's worth.`,
      '',
      '| offered (events/s) | offered | reserved within 1 s of the end | backlog | sustained |',
      '|---|---|---|---|---|',
      ...(r.sustained.rows as Record<string, any>[]).map(
        (x) =>
          `| ${x.rate} | ${x.offered} | ${x.processed} | ${x.backlogAfter1s} | ${x.sustained ? 'yes' : 'no'} |`,
      ),
      '',
      `Highest sustained rate measured: **${r.sustained.maxSustainedPerSecond} events/s** (local cloud on this machine, consumer concurrency 5 as in the template).`,
      '',
    );
  }
  if (r.coldStart) {
    const fns = r.coldStart.functions as Record<string, any>[];
    lines.push(
      '## 3. Cold start proxy: bundle size and module initialisation',
      '',
      `Bundles are the ones \`cdk synth\` produces (minified ESM, AWS SDK included). Initialisation is the time to import the bundle in a fresh Node ${m.node} process (median of ${r.coldStart.runs}), against a hello-world handler at ${r.coldStart.helloWorldInitMs.toFixed(1)} ms. Budget: at most 250 KB and at most 2x hello world; \`npm test\` fails any bundle over 1 MB.`,
      '',
      '| function | bundle (KB) | init (ms) | x hello world | size budget | init budget |',
      '|---|---|---|---|---|---|',
      ...fns.map(
        (f) =>
          `| ${f.function} | ${f.sizeKb.toFixed(0)} | ${f.initMs.toFixed(1)} | ${f.initRatio.toFixed(1)} | ${f.withinSizeBudget ? 'pass' : 'FAIL'} | ${f.withinInitBudget ? 'pass' : 'FAIL'} |`,
      ),
      '',
      '![bundle sizes](bench/plots/bundles.svg)',
      '',
    );
    writeFileSync(
      join(plots, 'bundles.svg'),
      groupedBars({
        title: 'Bundle size per function (minified)',
        unit: 'KB',
        groups: fns.map((f) => f.function),
        series: [{ name: 'bundle KB', values: fns.map((f) => f.sizeKb) }],
      }),
    );
  }
  if (r.cost) {
    const c = r.cost;
    const total = (path: string) =>
      Object.values(c.dollarsPerMillion[path] as Record<string, number>).reduce((a, b) => a + b, 0);
    lines.push(
      '## 4. Cost model per booking',
      '',
      `Requests counted with an SDK middleware while ${c.bookingsPerPath} bookings per path ran through the real consumers (Powertools idempotency included) on DynamoDB Local; capacity by DynamoDB's formulas (transactional writes 2 units per item per KB, standard writes 1 per KB, strongly consistent reads 1 per 4 KB, eventually consistent 0.5; updates and deletes of our rows, all under 1 KB, count 1 unit). Lambda: ${c.memoryGb} GB arm64 at the measured median handler time (${c.medianHandlerMs.toFixed(1)} ms, local). SQS: 3 requests per message (EventBridge's send, the mapping's receive and delete; empty polls not counted). EventBridge: our published events (incoming events are paid by their publishers). Prices: \`bench/prices.json\` (${c.prices.region}, ${c.prices.date}).`,
      '',
      '| path | DynamoDB requests | WCU | RCU | Lambda invocations | events published | $ per million bookings |',
      '|---|---|---|---|---|---|---|',
      ...Object.entries(c.paths as Record<string, any>).map(
        ([path, p]) =>
          `| ${path} | ${Object.entries(p.ddb.requests as Record<string, number>)
            .map(([k, v]) => `${k} ${v.toFixed(1)}`)
            .join(
              ', ',
            )} | ${p.ddb.wcu.toFixed(1)} | ${p.ddb.rcu.toFixed(1)} | ${p.lambdaInvocations} | ${p.events.toFixed(1)} | ${total(path).toFixed(2)} |`,
      ),
      '',
      "The expiry path excludes the sweeper's fixed cost (1,440 invocations a day whatever the traffic, about $0.01 a day).",
      '',
      '![cost breakdown](bench/plots/cost.svg)',
      '',
    );
    writeFileSync(
      join(plots, 'cost.svg'),
      stackedBars({
        title: 'Dollars per million bookings by path',
        unit: 'USD per million bookings',
        bars: Object.keys(c.dollarsPerMillion).map((path) => ({
          label: path,
          parts: c.dollarsPerMillion[path],
        })),
      }),
    );
  }
  if (r.expiry) {
    lines.push(
      '## 5. Expiry scaling',
      '',
      'Expire K due reservations among M live ones (all RESERVED), in batches of 200 as the sweeper does.',
      '',
      '| K due | M live | expired | seconds | DynamoDB requests | WCU | RCU |',
      '|---|---|---|---|---|---|---|',
      ...(r.expiry.rows as Record<string, number>[]).map(
        (x) =>
          `| ${x.K} | ${x.M} | ${x.expired} | ${Number(x.seconds).toFixed(2)} | ${x.requests} | ${x.wcu} | ${Number(x.rcu).toFixed(1)} |`,
      ),
      '',
      `Requests with the larger M over requests with the smaller M: **${r.expiry.requestRatio.toFixed(2)}** (cost follows K, not M).`,
      '',
    );
  }
  if (r.reconcile) lines.push(...reconcileCostMarkdown(r.reconcile));
  writeFileSync(join(root, 'BENCHMARKS.md'), `${lines.join('\n')}\n`);
}
