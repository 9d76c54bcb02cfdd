/**
 * Saga latency and sustained rate through `npm start`'s local cloud: EventBridge emulator ->
 * rule -> SQS (fauxqs) -> event source mapping -> consumer in a worker thread -> DynamoDB
 * Local -> table stream -> publisher function -> PutEvents.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalCloud } from '../../local/cloud.ts';
import { createDocumentClient } from '../../shared/adapters/aws-clients.ts';
import { itemRow, newItem } from '../../shared/adapters/dynamodb-store.ts';
import { LOCAL_AWS, pool, putEvent, type StageContext } from '../context.ts';
import { percentile } from '../stats.ts';

export interface SagaResult {
  bookings: number;
  inFlight: number;
  /** Cold starts that happened while the latencies were measured (the warm-up should leave none). */
  coldStarts?: number;
  toReservedMs: { p50: number; p99: number };
  toConfirmedMs: { p50: number; p99: number };
}

export interface SustainedRow {
  rate: number;
  offered: number;
  processed: number;
  backlogAfter1s: number;
  sustained: boolean;
}

export interface SustainedResult {
  seconds: number;
  rows: SustainedRow[];
  maxSustainedPerSecond: number;
}

export async function saga(
  ctx: StageContext,
  cloud: LocalCloud,
): Promise<{ saga: SagaResult; sustained: SustainedResult }> {
  const ddb = new DynamoDBClient({ ...LOCAL_AWS, endpoint: cloud.urls.edge });
  const eb = new EventBridgeClient({ ...LOCAL_AWS, endpoint: cloud.urls.edge });
  const sqs = new SQSClient({ ...LOCAL_AWS, endpoint: cloud.urls.edge });
  try {
    await createDocumentClient(ddb).send(
      new PutCommand({ TableName: cloud.outputs.TableName, Item: itemRow(newItem('BENCH', 10_000_000)) }),
    );
    const seen = new Map<string, number>();
    cloud.bus.onEvent((e) => {
      const data = (e.detail as { data?: { bookingId?: string } }).data;
      if (data?.bookingId) seen.set(`${e['detail-type']}:${data.bookingId}`, performance.now());
    });
    const put = (type: string, source: string, data: Record<string, unknown>) =>
      putEvent(eb, cloud.outputs.EventBusName, type, source, data);
    const waitFor = async (key: string, timeoutMs = 30_000) => {
      const deadline = performance.now() + timeoutMs;
      while (!seen.has(key)) {
        if (performance.now() > deadline) throw new Error(`timeout waiting for ${key}`);
        await new Promise((r) => setTimeout(r, 2));
      }
      return seen.get(key) as number;
    };
    const bookings = ctx.quick ? 60 : 200;
    const inFlight = 10;
    const reserveMs: number[] = [];
    const confirmMs: number[] = [];
    const oneSaga = async (record: boolean) => {
      const bookingId = randomUUID();
      const t0 = performance.now();
      await put('BookingCreated', 'booking-service', {
        bookingId,
        items: [{ itemId: 'BENCH', quantity: 1 }],
      });
      const reserved = (await waitFor(`InventoryReserved:${bookingId}`)) - t0;
      const t1 = performance.now();
      await put('PaymentSucceeded', 'payment-service', { bookingId, paymentId: 'p' });
      const confirmed = (await waitFor(`InventoryConfirmed:${bookingId}`)) - t1;
      if (record) {
        reserveMs.push(reserved);
        confirmMs.push(confirmed);
      }
    };
    // Warm-up at the measured flow (cold starts are measured by their own stage): ten in
    // flight make the mappings run several invocations at once, so each consumer gets the
    // environments the run uses. One warm booking left most of them to start cold inside
    // the measurement, where four cold starts of 3 s were the p99 of 60 bookings.
    await pool(inFlight * 3, inFlight, () => oneSaga(false));
    const measuredFrom = Date.now();

    const bar = ctx.bars.create(bookings, 0, { stage: 'saga latency', detail: '' });
    // Ten bookings in flight at a time: a steady flow, not a burst.
    await pool(bookings, inFlight, async () => {
      await oneSaga(true);
      bar.increment();
    });
    const coldStarts = cloud.logs.invocations.filter(
      (i) => i.startedAt >= measuredFrom && i.coldStart,
    ).length;

    // Sustained rate: BookingCreated at rising rates; sustained while the backlog drains within a second.
    const queueUrl = (JSON.parse(cloud.outputs.QueueUrls ?? '{}') as Record<string, string>)
      .BookingCreatedQueue;
    const rates = ctx.quick ? [20, 50, 100] : [20, 50, 100, 200];
    const seconds = ctx.quick ? 3 : 5;
    const rateBar = ctx.bars.create(rates.length, 0, { stage: 'sustained rate', detail: '' });
    const rows: SustainedRow[] = [];
    for (const rate of rates) {
      const ids: string[] = [];
      const start = performance.now();
      for (let i = 0; i < rate * seconds; i++) {
        const wait = start + (i * 1000) / rate - performance.now();
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
      rows.push({
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
    return {
      saga: {
        bookings,
        inFlight,
        coldStarts,
        toReservedMs: { p50: percentile(reserveMs, 50), p99: percentile(reserveMs, 99) },
        toConfirmedMs: { p50: percentile(confirmMs, 50), p99: percentile(confirmMs, 99) },
      },
      sustained: {
        seconds,
        rows,
        maxSustainedPerSecond: Math.max(0, ...rows.filter((r) => r.sustained).map((r) => r.rate)),
      },
    };
  } finally {
    sqs.destroy();
    ddb.destroy();
    eb.destroy();
  }
}
