import { randomUUID } from 'node:crypto';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../shared/adapters/clock.ts';
import { MAX_LINES } from '../../../shared/domain/limits.ts';
import { adminRoutes } from '../../../shared/http/admin-routes.ts';
import type { TokenVerifier } from '../../../shared/http/auth.ts';
import { HttpError } from '../../../shared/http/errors.ts';
import { IDEMPOTENCY_ERRORS } from '../../../shared/http/idempotency-errors.ts';
import { createHttpHandler } from '../../../shared/http/middleware.ts';
import { readRoutes } from '../../../shared/http/read-routes.ts';
import { Scope } from '../../../shared/http/route-table.ts';
import { reservationRoutes } from '../../../shared/http/routes.ts';
import { createTestTables, scanAll, seedItem, type TestTables } from '../../support/dynamo.ts';
import { RecordingPublisher, silentLog } from '../../support/fakes.ts';
import { call, type HttpHandler, httpEvent } from '../../support/http.ts';

/**
 * Token checks are unit-tested; here a token is simply `<scopes, comma-separated>@<sub>` and
 * the route table's middleware checks the scopes.
 */
const verifyToken: TokenVerifier = async (authorization) => {
  if (!authorization) throw new HttpError(401, 'UNAUTHORIZED', 'no token');
  const [scopes = '', subject = 'test-user'] = authorization.replace(/^Bearer /, '').split('@');
  return { subject, clientId: 'test-client', scopes: scopes.split(',') };
};
const token = (scopes: string[], sub = 'test-user') => ({
  authorization: `Bearer ${scopes.join(',')}@${sub}`,
});
const WRITE = token([Scope.Write]);
const ADMIN = token([Scope.Admin]);
const SERVICE = token([Scope.Service]);
const CURSOR_KEY = 'test-cursor-key-of-at-least-32-characters';

let t: TestTables;
let handler: HttpHandler;
let publisher: RecordingPublisher;

beforeAll(async () => {
  t = await createTestTables('http');
  publisher = new RecordingPublisher();
  // What the functions commit reaches the bus through the table's stream.
  t.store.publishTo(publisher);
  const deps = { store: t.store, publisher, clock: new ManualClock(new Date()), log: silentLog };
  handler = createHttpHandler(
    {
      ...readRoutes({ ...deps, cursorKey: CURSOR_KEY }),
      ...reservationRoutes({
        ...deps,
        createPersistenceStore: () =>
          new DynamoDBPersistenceLayer({ tableName: t.idempotencyTableName, awsSdkV3Client: t.client }),
        defaultTtlSeconds: 900,
      }),
      ...adminRoutes(deps),
    },
    { verifyToken, errors: IDEMPOTENCY_ERRORS },
  );
});
afterAll(async () => {
  await t.drop();
});

const reserve = (body: unknown, headers: Record<string, string> = WRITE) =>
  call(handler, httpEvent('POST /api/inventory/reserve', { body, headers }));

describe('reserve and release over HTTP', () => {
  it('answers 201, then 200 with the same reservation for the same request', async () => {
    await seedItem(t.doc, t.tableName, 'H-1', 10);
    const bookingId = randomUUID();
    const first = await reserve({ bookingId, items: [{ itemId: 'H-1', quantity: 2 }] });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      bookingId,
      status: 'RESERVED',
      items: [{ itemId: 'H-1', quantity: 2 }],
    });
    expect(first.body).not.toHaveProperty('version');
    const again = await reserve({ bookingId, itemId: 'H-1', quantity: 2 });
    expect(again.status).toBe(200);
    expect(again.body?.reservationId).toBe(first.body?.reservationId);
    const item = await call(
      handler,
      httpEvent('GET /api/inventory/{itemId}', { pathParameters: { itemId: 'H-1' } }),
    );
    expect(item.body).toMatchObject({ availableQuantity: 8, reservedQuantity: 2 });
    expect(
      publisher.ofType('InventoryReserved').filter((e) => e.detail.data.bookingId === bookingId),
    ).toHaveLength(1);
  });

  it('answers 409 INSUFFICIENT_INVENTORY with per-line details and writes nothing', async () => {
    await seedItem(t.doc, t.tableName, 'H-2', 1);
    await seedItem(t.doc, t.tableName, 'H-3', 5);
    const before = await scanAll(t.doc, t.tableName);
    const res = await reserve({
      bookingId: randomUUID(),
      items: [
        { itemId: 'H-3', quantity: 1 },
        { itemId: 'H-2', quantity: 2 },
      ],
    });
    expect(res.status).toBe(409);
    expect(res.body?.error).toMatchObject({
      code: 'INSUFFICIENT_INVENTORY',
      details: [{ itemId: 'H-2', requested: 2, available: 1 }],
    });
    expect(await scanAll(t.doc, t.tableName)).toEqual(before);
  });

  it('answers 409 BOOKING_CONFLICT for the same booking with other lines, 404 for an unknown item', async () => {
    await seedItem(t.doc, t.tableName, 'H-4', 5);
    const bookingId = randomUUID();
    expect((await reserve({ bookingId, itemId: 'H-4', quantity: 1 })).status).toBe(201);
    const conflict = await reserve({ bookingId, itemId: 'H-4', quantity: 3 });
    expect(conflict).toMatchObject({ status: 409, body: { error: { code: 'BOOKING_CONFLICT' } } });
    const missing = await reserve({ bookingId: randomUUID(), itemId: 'NOPE-1', quantity: 1 });
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 'ITEM_NOT_FOUND' } } });
  });

  it('answers concurrent duplicates with one 201 and otherwise 200 or 409 REQUEST_IN_PROGRESS, never 500', async () => {
    await seedItem(t.doc, t.tableName, 'H-7', 10);
    const bookingId = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 6 }, () => reserve({ bookingId, itemId: 'H-7', quantity: 2 })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    for (const r of results) {
      if (r.status === 409) expect(r.body?.error.code).toBe('REQUEST_IN_PROGRESS');
      else expect(r.status === 200 || r.status === 201).toBe(true);
    }
    const item = await call(
      handler,
      httpEvent('GET /api/inventory/{itemId}', { pathParameters: { itemId: 'H-7' } }),
    );
    expect(item.body).toMatchObject({ availableQuantity: 8, reservedQuantity: 2 });
    console.log(`concurrent duplicates: ${statuses.sort().join(', ')}`);
  });

  it('needs a token (401) with the write scope (403)', async () => {
    expect((await reserve({ bookingId: randomUUID(), itemId: 'H-4', quantity: 1 }, {})).status).toBe(401);
    expect((await reserve({ bookingId: randomUUID(), itemId: 'H-4', quantity: 1 }, ADMIN)).status).toBe(403);
  });

  it('releases once; a repeat changes nothing; the reservation reads back', async () => {
    await seedItem(t.doc, t.tableName, 'H-5', 4);
    const bookingId = randomUUID();
    await reserve({ bookingId, itemId: 'H-5', quantity: 3 });
    const release = () =>
      call(
        handler,
        httpEvent('POST /api/inventory/release', {
          body: { bookingId, reason: 'customer asked' },
          headers: WRITE,
        }),
      );
    const first = await release();
    const second = await release();
    expect(first).toMatchObject({ status: 200, body: { status: 'RELEASED', releaseReason: 'MANUAL' } });
    expect(second.body).toEqual(first.body);
    const item = await call(
      handler,
      httpEvent('GET /api/inventory/{itemId}', { pathParameters: { itemId: 'H-5' } }),
    );
    expect(item.body).toMatchObject({ availableQuantity: 4, reservedQuantity: 0 });
    const read = await call(
      handler,
      httpEvent('GET /api/inventory/reservations/{bookingId}', {
        pathParameters: { bookingId },
        headers: WRITE,
      }),
    );
    expect(read.body).toMatchObject({ bookingId, status: 'RELEASED' });
    const none = await call(
      handler,
      httpEvent('GET /api/inventory/reservations/{bookingId}', {
        pathParameters: { bookingId: randomUUID() },
        headers: WRITE,
      }),
    );
    expect(none.status).toBe(404);
  });
});

describe('replays never contradict the current state (saga v2 rule 11)', () => {
  it('reserve 201 → release 200 → the same reserve again is 409 BOOKING_CONFLICT, not a stale 200 RESERVED', async () => {
    await seedItem(t.doc, t.tableName, 'H-REPLAY', 4);
    const bookingId = randomUUID();
    const body = { bookingId, itemId: 'H-REPLAY', quantity: 1 };
    expect((await reserve(body)).status).toBe(201);
    const released = await call(
      handler,
      httpEvent('POST /api/inventory/release', { body: { bookingId }, headers: WRITE }),
    );
    expect(released.status).toBe(200);
    const again = await reserve(body);
    expect(again).toMatchObject({ status: 409, body: { error: { code: 'BOOKING_CONFLICT' } } });
    const read = await call(
      handler,
      httpEvent('GET /api/inventory/reservations/{bookingId}', {
        pathParameters: { bookingId },
        headers: WRITE,
      }),
    );
    expect(read.body).toMatchObject({ status: 'RELEASED' });
  });

  it('booking ids are canonical lower case: an upper-cased id is the same booking', async () => {
    await seedItem(t.doc, t.tableName, 'H-CASE', 4);
    const bookingId = randomUUID();
    const created = await reserve({ bookingId: bookingId.toUpperCase(), itemId: 'H-CASE', quantity: 1 });
    expect(created).toMatchObject({ status: 201, body: { bookingId } });
    const again = await reserve({ bookingId, itemId: 'H-CASE', quantity: 1 });
    expect(again).toMatchObject({ status: 200, body: { bookingId, status: 'RESERVED' } });
    const read = await call(
      handler,
      httpEvent('GET /api/inventory/reservations/{bookingId}', {
        pathParameters: { bookingId: bookingId.toUpperCase() },
        headers: WRITE,
      }),
    );
    expect(read).toMatchObject({ status: 200, body: { bookingId } });
  });
});

describe('booking ownership', () => {
  const ALICE = token([Scope.Write], 'alice');
  const BOB = token([Scope.Write], 'bob');
  const get = (bookingId: string, headers: Record<string, string>) =>
    call(
      handler,
      httpEvent('GET /api/inventory/reservations/{bookingId}', { pathParameters: { bookingId }, headers }),
    );
  const release = (bookingId: string, headers: Record<string, string>) =>
    call(handler, httpEvent('POST /api/inventory/release', { body: { bookingId }, headers }));
  const stock = async (itemId: string) =>
    (await call(handler, httpEvent('GET /api/inventory/{itemId}', { pathParameters: { itemId } }))).body;

  it("hides another owner's booking: read and release answer 404 and change nothing", async () => {
    await seedItem(t.doc, t.tableName, 'OWN-1', 5);
    const bookingId = randomUUID();
    expect((await reserve({ bookingId, itemId: 'OWN-1', quantity: 2 }, ALICE)).status).toBe(201);
    expect(await get(bookingId, BOB)).toMatchObject({
      status: 404,
      body: { error: { code: 'RESERVATION_NOT_FOUND' } },
    });
    expect((await release(bookingId, BOB)).status).toBe(404);
    expect(await stock('OWN-1')).toMatchObject({ availableQuantity: 3, reservedQuantity: 2 });
    expect(await get(bookingId, ALICE)).toMatchObject({ status: 200, body: { status: 'RESERVED' } });
    // The response never carries the owner.
    expect((await get(bookingId, ALICE)).body).not.toHaveProperty('owner');
    // A service and an operator act on any booking.
    expect((await get(bookingId, SERVICE)).status).toBe(200);
    expect((await get(bookingId, ADMIN)).status).toBe(200);
    expect(await release(bookingId, ALICE)).toMatchObject({ status: 200, body: { status: 'RELEASED' } });
  });

  it('lets a user release a made-up booking id without leaving a tombstone; only a service leaves one', async () => {
    await seedItem(t.doc, t.tableName, 'OWN-2', 5);
    const bookingId = randomUUID();
    expect(await release(bookingId, BOB)).toMatchObject({
      status: 404,
      body: { error: { code: 'RESERVATION_NOT_FOUND' } },
    });
    const rows = await scanAll(t.doc, t.tableName);
    expect(rows.some((r) => String(r.pk).includes(bookingId))).toBe(false);
    // The real owner can still reserve it.
    expect((await reserve({ bookingId, itemId: 'OWN-2', quantity: 1 }, ALICE)).status).toBe(201);

    const serviceId = randomUUID();
    expect(await release(serviceId, SERVICE)).toMatchObject({ status: 200, body: { tombstone: true } });
  });

  it("never returns one caller's stored answer to another: the idempotency key holds the owner", async () => {
    await seedItem(t.doc, t.tableName, 'OWN-3', 5);
    const bookingId = randomUUID();
    const body = { bookingId, itemId: 'OWN-3', quantity: 1 };
    const first = await reserve(body, ALICE);
    expect(first.status).toBe(201);
    const replayByBob = await reserve(body, BOB);
    expect(replayByBob).toMatchObject({ status: 409, body: { error: { code: 'BOOKING_CONFLICT' } } });
    expect(JSON.stringify(replayByBob.body)).not.toContain(String(first.body?.reservationId));
    expect((await reserve(body, ALICE)).status).toBe(200);
    expect(await stock('OWN-3')).toMatchObject({ availableQuantity: 4, reservedQuantity: 1 });
  });
});

describe('a committed reserve is never reported as a failure', () => {
  it('answers 201 with a safe correlation id when the caller sent a nasty one and the metrics flush fails', async () => {
    const { metrics } = await import('../../../shared/observability.ts');
    await seedItem(t.doc, t.tableName, 'RESP-1', 5);
    const flush = vi.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => {
      throw new Error('metrics flush failed');
    });
    try {
      for (const nasty of ['€uro', 'abc\r\nx-injected: 1', 'x'.repeat(12_000)]) {
        const res = await call(
          handler,
          httpEvent('POST /api/inventory/reserve', {
            body: { bookingId: randomUUID(), itemId: 'RESP-1', quantity: 1, correlationId: nasty },
            headers: { ...WRITE, 'x-correlation-id': nasty },
          }),
        );
        // A 12,000-character body correlationId is a 400 before anything is written.
        if (nasty.length > 128) {
          expect(res.status).toBe(400);
          continue;
        }
        expect(res.status).toBe(201);
        expect(String(res.headers['x-correlation-id'])).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
      }
      expect(flush).toHaveBeenCalled();
    } finally {
      flush.mockRestore();
    }
    const item = await call(
      handler,
      httpEvent('GET /api/inventory/{itemId}', { pathParameters: { itemId: 'RESP-1' } }),
    );
    expect(item.body).toMatchObject({ availableQuantity: 3, reservedQuantity: 2 });
  });
});

describe('idempotency settings per operation', () => {
  it('keeps payload validation on reserve even when release is the first call after a cold start', async () => {
    // A fresh set of routes, as after a cold start; release runs before any reserve.
    const cold = createHttpHandler(
      reservationRoutes({
        store: t.store,
        clock: new ManualClock(new Date()),
        log: silentLog,
        createPersistenceStore: () =>
          new DynamoDBPersistenceLayer({ tableName: t.idempotencyTableName, awsSdkV3Client: t.client }),
        defaultTtlSeconds: 900,
      }),
      { verifyToken, errors: IDEMPOTENCY_ERRORS },
    );
    await seedItem(t.doc, t.tableName, 'H-9', 5);
    const released = await call(
      cold,
      // A service: only a service's release of an unknown booking writes (a tombstone).
      httpEvent('POST /api/inventory/release', { body: { bookingId: randomUUID() }, headers: SERVICE }),
    );
    expect(released.status).toBe(200);
    const bookingId = randomUUID();
    const send = (quantity: number) =>
      call(
        cold,
        httpEvent('POST /api/inventory/reserve', {
          body: { bookingId, itemId: 'H-9', quantity },
          headers: WRITE,
        }),
      );
    expect((await send(1)).status).toBe(201);
    // Without payload validation the stored answer (200, quantity 1) would come back here.
    expect(await send(3)).toMatchObject({ status: 409, body: { error: { code: 'BOOKING_CONFLICT' } } });
    expect((await send(1)).status).toBe(200);
  });
});

describe('administration and browsing', () => {
  it('creates (201), updates (200) and refuses a total below what is held (409)', async () => {
    const put = (body: unknown, headers = ADMIN) =>
      call(
        handler,
        httpEvent('PUT /api/inventory/{itemId}', { pathParameters: { itemId: 'ADM-1' }, body, headers }),
      );
    expect((await put({ name: 'Suite', totalQuantity: 3 }, WRITE)).status).toBe(403);
    expect((await put({ name: 'Suite', totalQuantity: 3 })).status).toBe(201);
    await reserve({ bookingId: randomUUID(), itemId: 'ADM-1', quantity: 2 });
    expect((await put({ name: 'Suite', totalQuantity: 1 })).body?.error.code).toBe('STOCK_CONFLICT');
    const updated = await put({ name: 'Big suite', totalQuantity: 6 });
    expect(updated).toMatchObject({
      status: 200,
      body: { name: 'Big suite', totalQuantity: 6, availableQuantity: 4 },
    });
    const adjust = (delta: number) =>
      call(
        handler,
        httpEvent('POST /api/inventory/{itemId}/adjustments', {
          pathParameters: { itemId: 'ADM-1' },
          body: { delta, reason: 'audit' },
          headers: ADMIN,
        }),
      );
    expect((await adjust(-5)).body?.error.code).toBe('STOCK_CONFLICT');
    expect((await adjust(-4)).body).toMatchObject({
      totalQuantity: 2,
      availableQuantity: 0,
      reservedQuantity: 2,
    });
  });

  it('pages through the item list with nextToken', async () => {
    for (let i = 0; i < 5; i++) await seedItem(t.doc, t.tableName, `PAGE-${i}`, 1);
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const res = await call(
        handler,
        httpEvent('GET /api/inventory', { query: { limit: '3', ...(nextToken ? { nextToken } : {}) } }),
      );
      expect(res.status).toBe(200);
      seen.push(...(res.body?.items ?? []).map((i: { itemId: string }) => i.itemId));
      nextToken = res.body?.nextToken;
    } while (nextToken);
    expect(seen.filter((id) => id.startsWith('PAGE-'))).toEqual([
      'PAGE-0',
      'PAGE-1',
      'PAGE-2',
      'PAGE-3',
      'PAGE-4',
    ]);
    const tampered = await call(
      handler,
      httpEvent('GET /api/inventory', { query: { nextToken: 'eyJub3QiOiJvdXJzIn0' } }),
    );
    expect(tampered).toMatchObject({ status: 400, body: { error: { code: 'INVALID_CURSOR' } } });
  });

  it('answers 400 INVALID_CURSOR to a forged, edited or foreign nextToken, and never exposes the key layout', async () => {
    for (let i = 0; i < 3; i++) await seedItem(t.doc, t.tableName, `CUR-${i}`, 1);
    const first = await call(handler, httpEvent('GET /api/inventory', { query: { limit: '1' } }));
    const nextToken = String(first.body?.nextToken);
    expect(Buffer.from(nextToken.split('.')[0] ?? '', 'base64url').toString()).not.toMatch(/pk|ITEM#|gsi/);
    // A raw key of the right shape passed the old shape check and DynamoDB answered 500.
    const forgedKey = Buffer.from(
      JSON.stringify({ pk: 'BOOKING#x', sk: 'RESERVATION', gsi1pk: 'ITEMS', gsi1sk: 'zzz' }),
    ).toString('base64url');
    const [payload, tag] = nextToken.split('.') as [string, string];
    const edited = `${Buffer.from('CUR-2').toString('base64url')}.${tag}`;
    const { sealCursor } = await import('../../../shared/http/cursor.ts');
    const foreign = sealCursor(
      Buffer.from(payload, 'base64url').toString(),
      'another-deployment-key-0123456789',
    );
    for (const token of [forgedKey, edited, foreign, `${payload}.`, 'x'.repeat(300)]) {
      const res = await call(handler, httpEvent('GET /api/inventory', { query: { nextToken: token } }));
      expect(res, token).toMatchObject({ status: 400, body: { error: { code: 'INVALID_CURSOR' } } });
    }
  });
});

describe('latency (a measurement printed for the record, not an assertion)', () => {
  it('reserve through the handler against DynamoDB Local at concurrency 1 and 10', async () => {
    await seedItem(t.doc, t.tableName, 'LAT-1', 100_000);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    for (let i = 0; i < 10; i++) await seedItem(t.doc, t.tableName, `LAT-D${i}`, 100_000);
    const timed = async (itemId = 'LAT-1') => {
      const start = performance.now();
      const res = await reserve({ bookingId: randomUUID(), itemId, quantity: 1 });
      expect(res.status).toBe(201);
      return performance.now() - start;
    };
    const sequential: number[] = [];
    for (let i = 0; i < 60; i++) sequential.push(await timed());
    const concurrent: number[] = [];
    for (let round = 0; round < 6; round++)
      concurrent.push(...(await Promise.all(Array.from({ length: 10 }, () => timed()))));
    // The same at concurrency 10 on ten different items: no contention on one item row.
    const spread: number[] = [];
    for (let round = 0; round < 6; round++)
      spread.push(...(await Promise.all(Array.from({ length: 10 }, (_, i) => timed(`LAT-D${i}`)))));
    console.info(
      `reserve via handler on DynamoDB Local: median ${median(sequential.slice(10)).toFixed(1)} ms at concurrency 1, ${median(concurrent).toFixed(1)} ms at concurrency 10 on one item, ${median(spread).toFixed(1)} ms at concurrency 10 on ten items`,
    );
  });
});

describe('waitlist over HTTP', () => {
  const PREMIUM = token([Scope.Write, Scope.Premium], 'premium-user');
  const getReservation = (bookingId: string, headers: Record<string, string> = WRITE) =>
    call(
      handler,
      httpEvent('GET /api/inventory/reservations/{bookingId}', { pathParameters: { bookingId }, headers }),
    );

  it('answers 202 WAITLISTED with priority, until and positions; premium comes from the token', async () => {
    await seedItem(t.doc, t.tableName, 'H-WAIT', 1);
    const holder = await reserve({ bookingId: randomUUID(), itemId: 'H-WAIT', quantity: 1 });
    expect(holder.status).toBe(201);
    // Without a ticket: 409 as before.
    const refused = await reserve({ bookingId: randomUUID(), itemId: 'H-WAIT', quantity: 1 });
    expect(refused.status).toBe(409);
    const standardId = randomUUID();
    const standard = await reserve({
      bookingId: standardId,
      itemId: 'H-WAIT',
      quantity: 1,
      waitlist: { maxWaitSeconds: 600 },
    });
    expect(standard.status).toBe(202);
    expect(standard.body).toMatchObject({
      bookingId: standardId,
      status: 'WAITLISTED',
      waitlist: { priority: 'standard', positions: [{ itemId: 'H-WAIT', position: 1 }] },
    });
    expect(Date.parse(standard.body?.waitlist.until)).toBeGreaterThan(Date.now());
    const premiumId = randomUUID();
    const premium = await reserve(
      { bookingId: premiumId, itemId: 'H-WAIT', quantity: 1, waitlist: { maxWaitSeconds: 600 } },
      PREMIUM,
    );
    expect(premium.status).toBe(202);
    expect(premium.body?.waitlist).toMatchObject({
      priority: 'premium',
      positions: [{ itemId: 'H-WAIT', position: 1 }],
    });
    // The standard booking moved back a place.
    const read = await getReservation(standardId);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ status: 'WAITLISTED', waitlist: { positions: [{ position: 2 }] } });
    // The item shows what waits.
    const item = await call(
      handler,
      httpEvent('GET /api/inventory/{itemId}', { pathParameters: { itemId: 'H-WAIT' } }),
    );
    expect(item.body).toMatchObject({ availableQuantity: 0, waitlistedQuantity: 2 });
    // The event says it waits.
    await t.store.flush();
    expect(
      publisher.published.some(
        (e) =>
          e.detailType === 'InventoryWaitlisted' &&
          (e.detail.data as { bookingId: string }).bookingId === premiumId,
      ),
    ).toBe(true);
    // Its owner releases it: off the waitlist, nothing was held.
    const released = await call(
      handler,
      httpEvent('POST /api/inventory/release', { body: { bookingId: premiumId }, headers: PREMIUM }),
    );
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ status: 'RELEASED', tombstone: true });
    expect((await getReservation(standardId)).body?.waitlist.positions).toEqual([
      { itemId: 'H-WAIT', position: 1 },
    ]);
  });

  it('refuses a tier in the body, a wait out of range and too many lines with 400, writing nothing', async () => {
    await seedItem(t.doc, t.tableName, 'H-WAIT-2', 1);
    const bookingId = randomUUID();
    for (const waitlist of [
      { maxWaitSeconds: 600, priority: 'premium' },
      { maxWaitSeconds: 0 },
      { maxWaitSeconds: 86_401 },
      { maxWaitSeconds: 1.5 },
    ]) {
      const answer = await reserve({ bookingId, itemId: 'H-WAIT-2', quantity: 1, waitlist });
      expect(answer.status, JSON.stringify(waitlist)).toBe(400);
      expect(answer.body?.error.code).toBe('VALIDATION_ERROR');
    }
    // A booking that may wait takes as many lines as any other (its serve is 1 + 2 rows a line).
    const lines = Array.from({ length: MAX_LINES + 1 }, (_, i) => ({ itemId: `H-WAIT-2-${i}`, quantity: 1 }));
    const tooMany = await reserve({ bookingId, items: lines, waitlist: { maxWaitSeconds: 60 } });
    expect(tooMany.status).toBe(400);
    expect((await getReservation(bookingId, SERVICE)).status).toBe(404);
  });
});
