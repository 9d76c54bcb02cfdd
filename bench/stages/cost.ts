/**
 * Cost per booking: the happy, compensation and expiry paths run through the real consumers
 * (Powertools idempotency included) on DynamoDB Local with every DynamoDB request counted;
 * the pure cost model (bench/cost-model.ts) prices them and compares with the replaced design.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { consumedEvents } from '../../events/index.ts';
import { TableStream } from '../../local/table-stream.ts';
import { createDocumentClient } from '../../shared/adapters/aws-clients.ts';
import { eventsOfChange } from '../../shared/adapters/change-stream.ts';
import { ManualClock } from '../../shared/adapters/clock.ts';
import { DynamoDbProjector } from '../../shared/adapters/dynamodb/projection.ts';
import { DynamoDbInventoryStore } from '../../shared/adapters/dynamodb-store.ts';
import { idempotencyTableDefinition } from '../../shared/adapters/table-schema.ts';
import { serveChangedItems } from '../../shared/adapters/waitlist-changes.ts';
import { createConsumer } from '../../shared/consumers/consumer.ts';
import {
  onBookingCreated,
  onPaymentFailed,
  onPaymentSucceeded,
} from '../../shared/consumers/saga-handlers.ts';
import {
  applyBookingCreated,
  expireDueReservations,
  releaseBooking,
} from '../../shared/domain/use-cases/index.ts';
import { meteredClient } from '../capacity-meter.ts';
import type { DynamoStageContext } from '../context.ts';
import {
  type CostComparison,
  compareDesigns,
  DEFAULT_LEGACY_ASSUMPTIONS,
  DEFAULT_OUR_ASSUMPTIONS,
  type LegacyAssumptions,
  type OurAssumptions,
  ourCostPerBooking,
  type PathCounts,
  type Prices,
  PUBLISHER_CHANGES_PER_INVOCATION,
  sum,
} from '../cost-model.ts';
import { median } from '../stats.ts';

/**
 * `waitlist`: a booking that waits (stock short), is served when another booking's unit is
 * freed (the waitlist server, fed by the stream), and is paid: its own requests only (the
 * other booking's are not counted).
 */
export const COST_PATHS = ['happy', 'compensation', 'expiry', 'waitlist'] as const;
export type CostPath = (typeof COST_PATHS)[number];

export interface CostPathResult extends PathCounts {
  usdPerBooking: Record<string, number>;
  usdPerMillion: number;
}

export interface CostResult extends CostComparison {
  bookingsPerPath: number;
  prices: Prices;
  ours: OurAssumptions;
  legacy: LegacyAssumptions;
  paths: Record<CostPath, CostPathResult>;
  /** The happy path's figures, for scripts comparing runs. */
  happy: { wcu: number; rcu: number; usdPerMillion: number };
}

export function readPrices(root: string): Prices {
  return JSON.parse(readFileSync(join(root, 'bench', 'prices.json'), 'utf8')) as Prices;
}

/** Prices measured counts: a pure step, kept apart so that the report's tests can use it. */
export function priceCounts(
  counts: Record<CostPath, PathCounts>,
  prices: Prices,
  bookingsPerPath: number,
  ours: OurAssumptions = DEFAULT_OUR_ASSUMPTIONS,
  legacy: LegacyAssumptions = DEFAULT_LEGACY_ASSUMPTIONS,
): CostResult {
  const paths = Object.fromEntries(
    COST_PATHS.map((path) => {
      const usdPerBooking = ourCostPerBooking(counts[path], prices, ours);
      return [path, { ...counts[path], usdPerBooking, usdPerMillion: sum(usdPerBooking) * 1e6 }];
    }),
  ) as Record<CostPath, CostPathResult>;
  const comparison = compareDesigns(paths.happy.usdPerMillion / 1e6, prices, ours, legacy);
  return {
    ...comparison,
    bookingsPerPath,
    prices,
    ours,
    legacy,
    paths,
    happy: { wcu: paths.happy.ddb.wcu, rcu: paths.happy.ddb.rcu, usdPerMillion: paths.happy.usdPerMillion },
  };
}

/** Rows the publisher's filter criteria let through (infra/stateless.ts). */
const PUBLISHED_ENTITIES = new Set(['RESERVATION', 'ITEM']);

export async function cost(ctx: DynamoStageContext): Promise<CostResult> {
  const counting = meteredClient(ctx.endpoint);
  const tableName = await ctx.freshTable('cost');
  const idemTable = `cost-idem-${randomUUID().slice(0, 8)}`;
  await ctx.client.send(new CreateTableCommand(idempotencyTableDefinition(idemTable)));
  await ctx.seed(tableName, 'COST-1', 10_000_000);
  const clock = new ManualClock(new Date());
  const deps = {
    store: new DynamoDbInventoryStore({ client: createDocumentClient(counting.client), tableName }),
    clock,
    defaultTtlSeconds: 900,
  };
  // What the change-stream publisher does for these bookings: the table's stream read
  // through the publisher's own code (reads by a Lambda trigger are free of charge), its
  // writes of the ledger and hold rows counted like the consumers' requests.
  const stream = new TableStream(ctx.client, tableName, ctx.endpoint);
  const projector = new DynamoDbProjector({ client: createDocumentClient(counting.client), tableName });
  const uncountedProjector = new DynamoDbProjector({ client: ctx.doc, tableName });
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
  // The waitlist path's other bookings (the holders whose units are freed) go uncounted.
  const uncounted = { ...deps, store: new DynamoDbInventoryStore({ client: ctx.doc, tableName }) };
  const ctxLambda = {
    getRemainingTimeInMillis: () => 10_000,
    functionName: 'bench',
    awsRequestId: 'x',
  } as never;
  const durations: number[] = [];
  const timed = async (fn: () => Promise<unknown>) => {
    const t0 = performance.now();
    await fn();
    durations.push(performance.now() - t0);
  };
  const n = ctx.quick ? 20 : 100;
  const bar = ctx.bars.create(n * COST_PATHS.length, 0, { stage: 'cost model', detail: '' });
  const raw = {} as Record<CostPath, Omit<PathCounts, 'lambdaMsPerInvocation'>>;
  for (const path of COST_PATHS) {
    await stream.drain();
    counting.reset();
    let lambdaInvocations = 0;
    let sqsMessages = 0;
    const streamed: Awaited<ReturnType<TableStream['drain']>> = [];
    for (let i = 0; i < n; i++) {
      const bookingId = randomUUID();
      if (path === 'waitlist') {
        // A holder takes the item's only unit; the booking waits; the holder's payment
        // fails; the server serves the booking from the stream's item change; it is paid.
        const itemId = `COST-WL-${i}`;
        await ctx.seed(tableName, itemId, 1);
        await applyBookingCreated(
          { bookingId: randomUUID(), items: [{ itemId, quantity: 1 }], correlationId: 'holder' },
          uncounted,
        ).then(async (holder) => {
          streamed.push(...(await stream.drain()));
          await timed(() =>
            created(sqsEvent('BookingCreated', bookingId, itemId, { maxWaitSeconds: 3600 }), ctxLambda),
          );
          await releaseBooking(
            {
              bookingId: holder.record?.bookingId as string,
              reason: 'PAYMENT_FAILED',
              correlationId: 'holder',
            },
            uncounted,
          );
        });
        const changes = await stream.drain();
        streamed.push(...changes);
        await timed(() => serveChangedItems(changes, deps));
        await timed(() => paid(sqsEvent('PaymentSucceeded', bookingId), ctxLambda));
        // The server's invocation (one per freed-units change here: no batching assumed).
        lambdaInvocations += 3;
        sqsMessages += 2;
        bar.increment();
        continue;
      }
      await timed(() => created(sqsEvent('BookingCreated', bookingId), ctxLambda));
      lambdaInvocations++;
      sqsMessages++;
      if (path === 'happy') {
        await timed(() => paid(sqsEvent('PaymentSucceeded', bookingId), ctxLambda));
        lambdaInvocations++;
        sqsMessages++;
      } else if (path === 'compensation') {
        await timed(() => failed(sqsEvent('PaymentFailed', bookingId), ctxLambda));
        lambdaInvocations++;
        sqsMessages++;
      }
      bar.increment();
    }
    if (path === 'expiry') {
      clock.advance(16 * 60_000);
      // The minute sweeper handles many bookings per run: its invocations are a fixed cost.
      for (;;) {
        const r = await expireDueReservations({ limit: 200 }, deps);
        if (r.examined < 200) break;
      }
    }
    // The publisher is invoked for booking and item rows only (filter criteria), in batches;
    // it writes the ledger and hold rows they owe (counted) and publishes their events.
    streamed.push(...(await stream.drain()));
    // On the waitlist path, only the waiting booking's own changes (not its holder's).
    const own = (c: (typeof streamed)[number]) =>
      path !== 'waitlist' || c.newImage?.entity !== 'RESERVATION' || c.newImage?.correlationId !== 'holder';
    const delivered = streamed.filter((c) => PUBLISHED_ENTITIES.has(String(c.newImage?.entity)));
    const changes = delivered.filter(own);
    // One change at a time: a booking's reserve and its payment minutes later never share a
    // stream batch, so the projection's collapsing of a hold added and removed within one
    // batch must not make them look cheaper here.
    for (const change of changes) await projector.project([change]);
    const ddb = counting.reset();
    await uncountedProjector.project(delivered.filter((c) => !own(c)));
    const events = changes.flatMap((c) => eventsOfChange(c)).length;
    lambdaInvocations += changes.length / PUBLISHER_CHANGES_PER_INVOCATION;
    raw[path] = {
      ddb: {
        requests: Object.fromEntries(Object.entries(ddb.requests).map(([k, v]) => [k, v / n])),
        rcu: ddb.rcu / n,
        wcu: ddb.wcu / n,
      },
      lambdaInvocations: lambdaInvocations / n,
      events: events / n,
      sqsMessages: sqsMessages / n,
      apiRequests: 0,
    };
  }
  counting.client.destroy();
  stream.destroy();
  const handlerMs = median(durations);
  const counts = Object.fromEntries(
    COST_PATHS.map((p) => [p, { ...raw[p], lambdaMsPerInvocation: handlerMs }]),
  ) as Record<CostPath, PathCounts>;
  return priceCounts(counts, readPrices(ctx.root), n);
}

function sqsEvent(type: string, bookingId: string, itemId = 'COST-1', waitlist?: { maxWaitSeconds: number }) {
  const data =
    type === 'BookingCreated'
      ? { bookingId, items: [{ itemId, quantity: 1 }], ...(waitlist ? { waitlist } : {}) }
      : { bookingId };
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
}
