import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../local/cloud.ts';
import { idempotencyTableDefinition } from '../../shared/adapters/table-schema.ts';
import { until } from '../support/until.ts';

/**
 * End to end through the local cloud, driven only from outside: HTTP, the AWS SDK against
 * the edge, and the CLIs. One local cloud for the whole file.
 */

const run = promisify(execFile);
const npm = (...args: string[]) =>
  run('npm', ['run', '-s', ...args], { cwd: process.cwd(), env: process.env });
const aws = { region: 'us-east-1', credentials: { accessKeyId: 'e2e', secretAccessKey: 'e2e' } };

let cloud: LocalCloud;
let token: string;
let api: string;
let eventBridge: EventBridgeClient;

beforeAll(async () => {
  cloud = await startLocalCloud({
    scheduleIntervalSeconds: 1,
    visibilityTimeoutSeconds: 1,
    functionEnv: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
  });
  api = cloud.urls.api;
  eventBridge = new EventBridgeClient({ ...aws, endpoint: cloud.urls.edge });
  token = (await npm('token', '--', '--scopes', 'inventory/write inventory/admin')).stdout.trim();
}, 180_000);

afterAll(async () => {
  eventBridge?.destroy();
  await cloud?.stop();
});

const http = async (method: string, path: string, body?: unknown, auth = true) => {
  const response = await fetch(`${api}${path}`, {
    method,
    headers: {
      ...(auth ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
};

const publish = async (
  detailType: string,
  source: string,
  data: Record<string, unknown>,
  correlationId = randomUUID(),
) => {
  const eventId = randomUUID();
  const out = await eventBridge.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: cloud.outputs.EventBusName,
          Source: source,
          DetailType: detailType,
          Detail: JSON.stringify({
            metadata: { eventId, correlationId, occurredAt: new Date().toISOString(), schemaVersion: '1' },
            data,
          }),
        },
      ],
    }),
  );
  expect(out.FailedEntryCount).toBe(0);
  return { eventId, correlationId };
};

const eventLog = async (bookingId: string) =>
  (await (await fetch(`${cloud.urls.edge}/_local/events?bookingId=${bookingId}`)).json()) as {
    'detail-type': string;
    source: string;
    detail: { metadata: Record<string, string>; data: Record<string, unknown> };
    time: string;
  }[];

const published = (bookingId: string, detailType: string) =>
  until(
    async () => (await eventLog(bookingId)).find((e) => e['detail-type'] === detailType),
    `${detailType} for ${bookingId}`,
  );

describe('the local cloud', () => {
  it('answers health, serves the seeded inventory publicly and refuses writes without a token', async () => {
    expect((await http('GET', '/health', undefined, false)).body).toEqual({ status: 'ok' });
    const room = await http('GET', '/api/inventory/ROOM-105', undefined, false);
    expect(room.body).toMatchObject({ itemId: 'ROOM-105', totalQuantity: 5 });
    const refused = await http(
      'POST',
      '/api/inventory/reserve',
      { bookingId: randomUUID(), itemId: 'ROOM-105', quantity: 1 },
      false,
    );
    expect(refused.status).toBe(401);
    expect(cloud.notEmulated['AWS::CloudWatch::Alarm']).toBeGreaterThan(0);
  });

  it('waitlist: a booking that waits is served by the stream-fed waitlist server when the holder cancels', async () => {
    // Create an item of one unit, hold it over HTTP, then a BookingCreated asking to wait.
    const itemId = `WL-${randomUUID().slice(0, 8)}`;
    expect(
      (await http('PUT', `/api/inventory/${itemId}`, { name: 'one unit', totalQuantity: 1 })).status,
    ).toBe(201);
    const holder = randomUUID();
    expect(
      (await http('POST', '/api/inventory/reserve', { bookingId: holder, itemId, quantity: 1 })).status,
    ).toBe(201);
    const waiter = randomUUID();
    await publish('BookingCreated', 'booking-service', {
      bookingId: waiter,
      items: [{ itemId, quantity: 1 }],
      waitlist: { maxWaitSeconds: 600 },
      priority: 'premium',
    });
    const waiting = await published(waiter, 'InventoryWaitlisted');
    expect(waiting.detail.data).toMatchObject({
      priority: 'premium',
      shortItems: [{ itemId, available: 0 }],
    });
    expect((await http('GET', `/api/inventory/${itemId}`)).body).toMatchObject({ waitlistedQuantity: 1 });
    // The holder lets go over HTTP: the item's change reaches the waitlist server by the stream.
    expect((await http('POST', '/api/inventory/release', { bookingId: holder })).status).toBe(200);
    const served = await published(waiter, 'InventoryReserved');
    expect(served.detail.data).toMatchObject({ status: 'RESERVED', fromWaitlist: true });
    expect((await http('GET', `/api/inventory/${itemId}`)).body).toMatchObject({
      availableQuantity: 0,
      reservedQuantity: 1,
      waitlistedQuantity: 0,
    });
  });

  it('happy saga: BookingCreated then PaymentSucceeded, correlation kept end to end', async () => {
    const bookingId = randomUUID();
    const before = (await http('GET', '/api/inventory/ROOM-106')).body;
    const created = await publish('BookingCreated', 'booking-service', {
      bookingId,
      items: [{ itemId: 'ROOM-106', quantity: 2 }],
    });
    const reserved = await published(bookingId, 'InventoryReserved');
    expect(reserved.source).toBe('inventory-service');
    expect(reserved.detail.metadata).toMatchObject({
      correlationId: created.correlationId,
      causationId: created.eventId,
    });
    await publish(
      'PaymentSucceeded',
      'payment-service',
      { bookingId, paymentId: 'pay-e2e' },
      created.correlationId,
    );
    const confirmed = await until(async () => {
      const r = await http('GET', `/api/inventory/reservations/${bookingId}`);
      return r.body.status === 'CONFIRMED' ? r.body : undefined;
    }, 'confirmation');
    expect(confirmed).toMatchObject({ bookingId, paymentId: 'pay-e2e' });
    await published(bookingId, 'InventoryConfirmed');
    const after = (await http('GET', '/api/inventory/ROOM-106')).body;
    expect(after.confirmedQuantity - before.confirmedQuantity).toBe(2);
    expect(after.availableQuantity - before.availableQuantity).toBe(-2);
    const trail = await eventLog(bookingId);
    expect(trail.every((e) => e.detail.metadata.correlationId === created.correlationId)).toBe(true);
  });

  it('payment failure compensation: the hold is released and InventoryReleased published', async () => {
    const bookingId = randomUUID();
    const before = (await http('GET', '/api/inventory/ROOM-107')).body;
    await publish('BookingCreated', 'booking-service', {
      bookingId,
      items: [{ itemId: 'ROOM-107', quantity: 3 }],
    });
    await published(bookingId, 'InventoryReserved');
    await publish('PaymentFailed', 'payment-service', { bookingId, reason: 'card declined' });
    const released = await published(bookingId, 'InventoryReleased');
    expect(released.detail.data).toMatchObject({ reason: 'PAYMENT_FAILED', previousStatus: 'RESERVED' });
    expect((await http('GET', '/api/inventory/ROOM-107')).body).toMatchObject({
      availableQuantity: before.availableQuantity,
      reservedQuantity: before.reservedQuantity,
    });
  });

  it('expiry: an HTTP hold of one second is released by the scheduled sweeper', async () => {
    const bookingId = randomUUID();
    const reserved = await http('POST', '/api/inventory/reserve', {
      bookingId,
      itemId: 'ROOM-108',
      quantity: 1,
      ttlSeconds: 1,
    });
    expect(reserved.status).toBe(201);
    const expired = await until(async () => {
      const r = await http('GET', `/api/inventory/reservations/${bookingId}`);
      return r.body.status === 'EXPIRED' ? r.body : undefined;
    }, 'expiry');
    expect(expired.releaseReason).toBe('EXPIRED');
    const event = await published(bookingId, 'InventoryReleased');
    expect(event.detail.data.reason).toBe('EXPIRED');
  });

  it('a poison message reaches the DLQ after its receives and is redriven after the fix', async () => {
    // The fault: the consumers' idempotency table disappears (a dependency outage).
    const ddb = new DynamoDBClient({ ...aws, endpoint: cloud.urls.edge });
    await ddb.send(new DeleteTableCommand({ TableName: cloud.outputs.IdempotencyTableName }));
    const bookingId = randomUUID();
    await publish('BookingCreated', 'booking-service', {
      bookingId,
      items: [{ itemId: 'ROOM-109', quantity: 1 }],
    });
    await until(
      async () => {
        const { stdout } = await npm('dlq', '--', 'show', 'BookingCreatedDlq');
        return stdout.includes(bookingId) || undefined;
      },
      'the message in the DLQ',
      40_000,
    );
    expect((await http('GET', `/api/inventory/reservations/${bookingId}`)).status).toBe(404);
    // The fix, then the redrive.
    await ddb.send(
      new CreateTableCommand(idempotencyTableDefinition(String(cloud.outputs.IdempotencyTableName))),
    );
    const { stdout } = await npm('dlq', '--', 'redrive', 'BookingCreatedDlq');
    expect(stdout).toMatch(/moved [1-9]\d* message/);
    await published(bookingId, 'InventoryReserved');
    expect((await http('GET', `/api/inventory/reservations/${bookingId}`)).body.status).toBe('RESERVED');
    ddb.destroy();
  }, 90_000);

  it('keeps total = available + reserved + confirmed on every item', async () => {
    let nextToken: string | undefined;
    const items: Record<string, number>[] = [];
    do {
      const page = await http('GET', `/api/inventory?limit=100${nextToken ? `&nextToken=${nextToken}` : ''}`);
      items.push(...page.body.items);
      nextToken = page.body.nextToken;
    } while (nextToken);
    expect(items.length).toBeGreaterThanOrEqual(12);
    for (const item of items) {
      expect(item.totalQuantity).toBe(
        Number(item.availableQuantity) + Number(item.reservedQuantity) + Number(item.confirmedQuantity),
      );
    }
  });
});
