/**
 * Waitlist latency through `npm start`'s local cloud: the time from units being freed (the
 * committed cancellation of the booking that held them, its `releasedAt`) to the waiting
 * booking's `InventoryReserved` (`fromWaitlist: true`) on the bus. The path: the release's
 * item change → the table stream → the waitlist server's mapping → the serve transaction →
 * the stream → the publisher → EventBridge. Cost per served booking is the cost stage's
 * `waitlist` path.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalCloud } from '../../local/cloud.ts';
import { createDocumentClient } from '../../shared/adapters/aws-clients.ts';
import { itemRow, newItem } from '../../shared/adapters/dynamodb-store.ts';
import { LOCAL_AWS, pool, putEvent, type StageContext } from '../context.ts';
import { percentile } from '../stats.ts';

export interface WaitlistResult {
  samples: number;
  inFlight: number;
  /** Units freed (the release committed) → the served booking's InventoryReserved on the bus. */
  freedToReservedMs: { p50: number; p99: number };
}

export async function waitlist(ctx: StageContext, cloud: LocalCloud): Promise<WaitlistResult> {
  const ddb = new DynamoDBClient({ ...LOCAL_AWS, endpoint: cloud.urls.edge });
  const eb = new EventBridgeClient({ ...LOCAL_AWS, endpoint: cloud.urls.edge });
  const doc = createDocumentClient(ddb);
  try {
    /** Wall-clock arrival of each event on the bus, and the data of each. */
    const seen = new Map<string, { at: number; data: Record<string, unknown> }>();
    cloud.bus.onEvent((e) => {
      const data = (e.detail as { data?: Record<string, unknown> }).data;
      if (data?.bookingId) seen.set(`${e['detail-type']}:${data.bookingId}`, { at: Date.now(), data });
    });
    const put = (type: string, data: Record<string, unknown>) =>
      putEvent(eb, cloud.outputs.EventBusName, type, 'booking-service', data);
    const waitFor = async (key: string, timeoutMs = 30_000) => {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const hit = seen.get(key);
        if (hit) return hit;
        if (performance.now() > deadline) throw new Error(`timeout waiting for ${key}`);
        await new Promise((r) => setTimeout(r, 2));
      }
    };
    const samples = ctx.quick ? 30 : 100;
    const inFlight = 3;
    const bar = ctx.bars.create(samples + 1, 0, { stage: 'waitlist latency', detail: '' });
    const latencies: number[] = [];
    const sample = async (record: boolean) => {
      // Each sample its own item of one unit: a holder takes it, a booking waits for it.
      const itemId = `WL-${randomUUID().slice(0, 8)}`;
      await doc.send(
        new PutCommand({ TableName: cloud.outputs.TableName, Item: itemRow(newItem(itemId, 1)) }),
      );
      const holder = randomUUID();
      const waiter = randomUUID();
      const items = [{ itemId, quantity: 1 }];
      await put('BookingCreated', { bookingId: holder, items });
      await waitFor(`InventoryReserved:${holder}`);
      await put('BookingCreated', { bookingId: waiter, items, waitlist: { maxWaitSeconds: 3600 } });
      await waitFor(`InventoryWaitlisted:${waiter}`);
      await put('BookingCancelled', { bookingId: holder });
      const served = await waitFor(`InventoryReserved:${waiter}`);
      if (served.data.fromWaitlist !== true) throw new Error(`${waiter} was not served from the waitlist`);
      const released = await waitFor(`InventoryReleased:${holder}`);
      if (record) latencies.push(served.at - Date.parse(String(released.data.releasedAt)));
      bar.increment();
    };
    // One warm-up (every function loaded once; cold starts have their own stage).
    await sample(false);
    await pool(samples, inFlight, () => sample(true));
    return {
      samples,
      inFlight,
      freedToReservedMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
    };
  } finally {
    ddb.destroy();
    eb.destroy();
  }
}
