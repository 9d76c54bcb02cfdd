import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLISHER_RETRIES } from '../../infra/stateless.ts';
import { type LocalCloud, startLocalCloud } from '../../local/cloud.ts';
import type { LoggedEvent, PutEventsFault } from '../../local/eventbridge.ts';
import { until } from '../support/until.ts';

/**
 * The change-stream publisher's fault path end to end, through the local cloud `npm start`
 * runs: a committed change whose event the bus refuses (a fault injected through the edge's
 * `/_local/faults`, local tooling only) is retried by the stream mapping up to the
 * template's limit, handed to PublisherDlq with its place in the stream, and published by
 * `npm run dlq -- redrive PublisherDlq` (the real CLI, against .local/outputs.json) once the
 * fault is lifted: once, under the id the refused attempts carried.
 */

const run = promisify(execFile);
const dlq = (...args: string[]) =>
  run('npm', ['run', '-s', 'dlq', '--', ...args], { cwd: process.cwd(), env: process.env });
const aws = { region: 'us-east-1', credentials: { accessKeyId: 'e2e', secretAccessKey: 'e2e' } };

let cloud: LocalCloud;
let eventBridge: EventBridgeClient;
let sqs: SQSClient;
const lines: string[] = [];

beforeAll(async () => {
  cloud = await startLocalCloud({
    functionEnv: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
    log: (line) => lines.push(line),
  });
  eventBridge = new EventBridgeClient({ ...aws, endpoint: cloud.urls.edge });
  sqs = new SQSClient({ ...aws, endpoint: cloud.urls.edge });
}, 180_000);

afterAll(async () => {
  eventBridge?.destroy();
  sqs?.destroy();
  await cloud?.stop();
});

const bookingCreated = async (bookingId: string, itemId: string) => {
  const out = await eventBridge.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: cloud.outputs.EventBusName,
          Source: 'booking-service',
          DetailType: 'BookingCreated',
          Detail: JSON.stringify({
            metadata: {
              eventId: randomUUID(),
              correlationId: randomUUID(),
              occurredAt: new Date().toISOString(),
              schemaVersion: '1',
            },
            data: { bookingId, items: [{ itemId, quantity: 1 }] },
          }),
        },
      ],
    }),
  );
  expect(out.FailedEntryCount).toBe(0);
};

const faults = async (method: 'POST' | 'DELETE', body?: unknown) => {
  const response = await fetch(`${cloud.urls.edge}/_local/faults/put-events`, {
    method,
    ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

/** What the bus accepted for a booking, as the event log at the edge says. */
const onBus = async (bookingId: string) =>
  (await (await fetch(`${cloud.urls.edge}/_local/events?bookingId=${bookingId}`)).json()) as LoggedEvent[];
const idsOf = (events: LoggedEvent[], detailType: string) =>
  events
    .filter((e) => e['detail-type'] === detailType)
    .map((e) => (e.detail as { metadata: { eventId: string } }).metadata.eventId);

/** Where a given-up stream batch is, as Lambda's on-failure destination records it. */
interface StreamBatchInfo {
  shardId: string;
  streamArn: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
  batchSize: number;
}

/** The PublisherDlq's messages, looked at without hiding them (visibility 0). */
const peekDlq = async () => {
  const url = (JSON.parse(cloud.outputs.QueueUrls ?? '{}') as Record<string, string>).PublisherDlq;
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
  );
  return Messages.map(
    (m) =>
      JSON.parse(m.Body ?? '{}') as {
        requestContext?: { condition: string; approximateInvokeCount: number };
        DDBStreamBatchInfo?: StreamBatchInfo;
      },
  );
};

describe('a change the bus refuses', () => {
  it('is retried to the limit, lands in PublisherDlq, and npm run dlq redrives it once with the same id', async () => {
    // Prepare: the bus refuses this booking's InventoryReserved.
    const poison = randomUUID();
    const healthy = randomUUID();
    const injected = await faults('POST', {
      pattern: { 'detail-type': ['InventoryReserved'], detail: { data: { bookingId: [poison] } } },
    });
    expect(injected.status).toBe(201);

    // Act: the booking is reserved (committed), then another booking behind it on the stream.
    await bookingCreated(poison, 'ROOM-101');
    await until(() => lines.find((l) => / failed \(attempt 1 /.test(l)), 'the first failed attempt', 30_000);
    await bookingCreated(healthy, 'ROOM-102');
    const gaveUp = await until(() => lines.find((l) => /given up/.test(l)), 'the mapping to give up', 30_000);

    // Assess: retried to the template's limit, then handed over with its place in the stream.
    const [message, ...others] = await until(
      async () => ((await peekDlq()).length > 0 ? peekDlq() : undefined),
      'the PublisherDlq message',
      30_000,
    );
    expect(others).toEqual([]);
    const ddb = new DynamoDBClient({ ...aws, endpoint: cloud.urls.edge });
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: cloud.outputs.TableName }));
    ddb.destroy();
    expect(message?.requestContext).toEqual({
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: PUBLISHER_RETRIES + 1,
    });
    const info = message?.DDBStreamBatchInfo;
    expect(info).toMatchObject({
      shardId: expect.any(String),
      streamArn: Table?.LatestStreamArn,
      batchSize: 1,
      startSequenceNumber: expect.stringMatching(/^\d+$/),
    });
    expect(info?.endSequenceNumber).toBe(info?.startSequenceNumber);
    const seq = String(info?.startSequenceNumber);
    const attempts = PUBLISHER_RETRIES + 1;
    expect(lines.filter((l) => l.includes(`record ${seq} failed (attempt`))).toHaveLength(PUBLISHER_RETRIES);
    expect(gaveUp).toContain(`1 record(s) from ${seq} given up (attempt ${attempts} of ${attempts})`);
    const refused = (cloud.bus.faults[0] as PutEventsFault).refused;
    const owedId = refused[0]?.eventId;
    expect(owedId).toEqual(expect.any(String));
    expect(refused.every((r) => r.eventId === owedId && r.detailType === 'InventoryReserved')).toBe(true);
    expect(refused.length).toBeGreaterThanOrEqual(attempts);
    expect(idsOf(await onBus(poison), 'InventoryReserved')).toEqual([]);
    // The shard moved on: the booking behind the given-up change is published.
    await until(
      async () => (idsOf(await onBus(healthy), 'InventoryReserved').length > 0 ? true : undefined),
      'the next booking to be published',
      30_000,
    );

    // A redrive while the bus still refuses publishes nothing and leaves the batch, visible, in the DLQ.
    const early = await dlq('redrive', 'PublisherDlq').catch((e: { code: number; stderr: string }) => e);
    expect(early).toMatchObject({ code: 1, stderr: expect.stringContaining('left in the queue') });
    expect(await peekDlq()).toHaveLength(1);

    // The fix, then the redrive: the owed event is published once, under its id.
    expect((await faults('DELETE')).status).toBe(200);
    const { stdout } = await dlq('redrive', 'PublisherDlq');
    expect(stdout).toContain('redrove 1 stream batch(es) from PublisherDlq: 1 event(s) published');
    expect(idsOf(await onBus(poison), 'InventoryReserved')).toEqual([owedId]);
    expect(await peekDlq()).toEqual([]);

    // A second redrive finds the queue empty (the message is deleted once its events are put):
    // nothing new is published.
    const again = await dlq('redrive', 'PublisherDlq');
    expect(again.stdout).toContain('redrove 0 stream batch(es) from PublisherDlq: 0 event(s) published');
    expect(idsOf(await onBus(poison), 'InventoryReserved')).toEqual([owedId]);
    // Nothing under two ids: every event of either booking has one id, whatever its deliveries.
    for (const bookingId of [poison, healthy]) {
      const events = await onBus(bookingId);
      for (const type of new Set(events.map((e) => e['detail-type'])))
        expect(new Set(idsOf(events, type)).size).toBe(1);
    }
  }, 120_000);
});
