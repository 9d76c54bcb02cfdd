import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../local/cloud.ts';
import { until } from '../support/until.ts';

/**
 * The console at /_local/console in a real headless browser (Debian's chromium driven by
 * puppeteer-core, no browser download): load it, follow a booking, redrive a dead letter.
 * CONSOLE_SCREENSHOT=docs/console.png saves the screenshot the README shows.
 */

/** The browser side of page.$eval / waitForFunction (this project compiles without the DOM lib). */
declare const document: any;

const chromium = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (p): p is string => Boolean(p && existsSync(p)),
);
if (!chromium)
  console.warn('console e2e skipped: no chromium binary (apt-get install chromium; the CI script does)');

const sdk = { region: 'us-east-1', credentials: { accessKeyId: 'e2e', secretAccessKey: 'e2e' } };
let cloud: LocalCloud;
let browser: Browser;
let page: Page;
let eb: EventBridgeClient;

const publish = (detailType: string, source: string, correlationId: string, data: Record<string, unknown>) =>
  eb.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: cloud.outputs.EventBusName,
          Source: source,
          DetailType: detailType,
          Detail: JSON.stringify({
            metadata: {
              eventId: randomUUID(),
              correlationId,
              occurredAt: new Date().toISOString(),
              schemaVersion: '1',
            },
            data,
          }),
        },
      ],
    }),
  );

const api = async (path: string) => (await fetch(`${cloud.urls.console}/api/${path}`)).json() as Promise<any>;

describe.skipIf(!chromium)('the local console in headless Chromium', () => {
  beforeAll(async () => {
    cloud = await startLocalCloud({
      functionEnv: { POWERTOOLS_LOG_LEVEL: 'INFO', POWERTOOLS_METRICS_DISABLED: 'true' },
    });
    eb = new EventBridgeClient({ ...sdk, endpoint: cloud.urls.edge });
    browser = await puppeteer.launch({
      executablePath: chromium,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 1000 });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    eb?.destroy();
    await cloud?.stop();
  });

  it('loads: items with their counters, linked from the edge', async () => {
    const response = await page.goto(cloud.urls.console, { waitUntil: 'networkidle0' });
    expect(response?.status()).toBe(200);
    await page.waitForSelector('#items tr[data-item="ROOM-101"]');
    const row = await page.$eval('#items tr[data-item="ROOM-101"]', (tr) =>
      [...tr.querySelectorAll('td')].map((td) => td.textContent),
    );
    const item = (await api('items')).find((i: { itemId: string }) => i.itemId === 'ROOM-101');
    expect(row).toEqual([
      'ROOM-101',
      item.name,
      String(item.total),
      String(item.available),
      String(item.reserved),
      String(item.confirmed),
    ]);
  });

  it('follows a booking: its state, its timeline across events and invocations, its log lines', async () => {
    const bookingId = randomUUID();
    const correlationId = randomUUID();
    await publish('BookingCreated', 'booking-service', correlationId, {
      bookingId,
      items: [{ itemId: 'ROOM-103', quantity: 1 }],
    });
    await until(
      async () => (await api(`bookings/${bookingId}`)).reservation?.status === 'RESERVED',
      'the hold',
    );
    await publish('PaymentSucceeded', 'payment-service', correlationId, {
      bookingId,
      paymentId: 'pay-console',
    });
    await until(
      async () => (await api(`bookings/${bookingId}`)).reservation?.status === 'CONFIRMED',
      'confirmation',
    );

    const link = `#bookings [data-state="CONFIRMED"] a[data-booking="${bookingId}"]`;
    await page.waitForSelector(link, { timeout: 10_000 });
    await page.click(link);
    await page.waitForSelector(`#timeline-head[data-followed="${bookingId}"]`);
    await page.waitForFunction(
      () => document.querySelectorAll('#timeline li.event[data-detail-type="InventoryConfirmed"]').length > 0,
      { timeout: 10_000 },
    );
    expect(await page.$eval('#booking-status', (e) => e.textContent)).toBe('CONFIRMED');
    const events = await page.$$eval('#timeline li.event', (lis) =>
      lis.map((li) => li.getAttribute('data-detail-type')),
    );
    expect(events).toEqual(
      expect.arrayContaining([
        'BookingCreated',
        'InventoryReserved',
        'PaymentSucceeded',
        'InventoryConfirmed',
      ]),
    );
    expect(
      await page.$$eval('#timeline li.invocation.succeeded', (lis) => lis.length),
    ).toBeGreaterThanOrEqual(2);
    expect(await page.$eval('#logs', (pre) => pre.textContent)).toContain(correlationId);
  });

  it('redrives a dead letter: the message goes back to its queue and the booking is processed', async () => {
    const bookingId = randomUUID();
    const queues = JSON.parse(cloud.outputs.QueueUrls ?? '{}') as Record<string, string>;
    const sqs = new SQSClient({ ...sdk, endpoint: cloud.urls.edge });
    // What EventBridge would have left in the DLQ: the event as the rule delivered it.
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queues.BookingCreatedDlq,
        MessageBody: JSON.stringify({
          version: '0',
          id: randomUUID(),
          'detail-type': 'BookingCreated',
          source: 'booking-service',
          account: '000000000000',
          time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
          region: 'us-east-1',
          resources: [],
          detail: {
            metadata: {
              eventId: randomUUID(),
              correlationId: randomUUID(),
              occurredAt: new Date().toISOString(),
              schemaVersion: '1',
            },
            data: { bookingId, items: [{ itemId: 'ROOM-104', quantity: 1 }] },
          },
        }),
      }),
    );
    sqs.destroy();
    const dlq = new URL(queues.BookingCreatedDlq ?? '').pathname.split('/').pop() ?? '';
    const button = `#dlqs button.redrive[data-queue="${dlq}"]:not([disabled])`;
    await page.waitForSelector(button, { timeout: 10_000 });
    expect(await page.$eval(`#dlqs tr[data-queue="${dlq}"] .count`, (td) => td.textContent)).toBe('1');
    await page.click(button);
    await page.waitForFunction(
      () => /moved 1 message/.test(document.querySelector('#dlq-result')?.textContent ?? ''),
      {
        timeout: 10_000,
      },
    );
    const link = `#bookings [data-state="RESERVED"] a[data-booking="${bookingId}"]`;
    await page.waitForSelector(link, { timeout: 20_000 });
    await page.waitForFunction(
      (q) => document.querySelector(`#dlqs tr[data-queue="${q}"] .count`)?.textContent === '0',
      { timeout: 10_000 },
      dlq,
    );

    const shot = process.env.CONSOLE_SCREENSHOT ?? 'test-results/console.png';
    mkdirSync(dirname(shot), { recursive: true });
    await page.click(link);
    await page.waitForSelector(`#timeline-head[data-followed="${bookingId}"]`);
    await page.waitForFunction(() => document.querySelectorAll('#timeline li.invocation').length > 0, {
      timeout: 10_000,
    });
    await page.screenshot({ path: shot as `${string}.png`, fullPage: true });
  });
});
