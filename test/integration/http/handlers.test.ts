import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTables, seedItem, type TestTables } from '../../support/dynamo.ts';
import { call, type HttpHandler, httpEvent, lambdaContext } from '../../support/http.ts';

/**
 * The four real entry points, imported after their environment is set: DynamoDB Local for
 * the tables, and one plain-http server on 127.0.0.1 that plays the issuer's JWKS endpoint
 * and EventBridge's PutEvents. This is the path the local cloud takes (a JWKS over http://),
 * served by the same node:http(s) JWKS fetcher that runs on AWS.
 */
let t: TestTables;
let server: Server;
let base: string;
let publishChanges: (event: unknown, context: unknown) => Promise<unknown>;
let jwksHits = 0;
let discoveryHits = 0;
const putEvents: { DetailType: string; Detail: string }[] = [];
let sign: (claims: Record<string, unknown>, alg?: string) => Promise<string>;
let hs256: string;
let health: HttpHandler;
let read: HttpHandler;
let reservations: HttpHandler;
let admin: HttpHandler;
const AUDIENCE = 'inventory-local';

beforeAll(async () => {
  t = await createTestTables('http-fn');
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
  server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/issuer/.well-known/openid-configuration') {
      discoveryHits++;
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ issuer: `${base}/issuer`, jwks_uri: `${base}/issuer/.well-known/jwks.json` }));
      return;
    }
    if (req.method === 'GET' && req.url === '/issuer/.well-known/jwks.json') {
      jwksHits++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
      return;
    }
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      if (String(req.headers['x-amz-target']).endsWith('PutEvents')) {
        const entries = (JSON.parse(raw) as { Entries: { DetailType: string; Detail: string }[] }).Entries;
        putEvents.push(...entries);
        res
          .writeHead(200, { 'content-type': 'application/x-amz-json-1.1' })
          .end(
            JSON.stringify({ FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: randomUUID() })) }),
          );
        return;
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${base}/issuer`;
  sign = (claims, alg = 'RS256') =>
    new SignJWT({ sub: 'fn-user', ...claims })
      .setProtectedHeader({ alg, kid: 'k1' })
      .setIssuer(issuer)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
  hs256 = await new SignJWT({ aud: AUDIENCE, scope: 'inventory/write' })
    .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
    .setIssuer(issuer)
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode('a-shared-secret-of-at-least-32-bytes!!'));

  Object.assign(process.env, {
    TABLE_NAME: t.tableName,
    IDEMPOTENCY_TABLE_NAME: t.idempotencyTableName,
    EVENT_BUS_NAME: 'test-bus',
    JWT_ISSUER: issuer,
    JWT_AUDIENCE: `other-client, ${AUDIENCE}`,
    CURSOR_SIGNING_KEY: 'handlers-test-cursor-key-0123456789abcdef',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: t.endpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: base,
  });
  delete process.env.JWT_JWKS_URI; // discovered from the issuer, as API Gateway does
  health = (await import('../../../functions/health.ts')).handler as HttpHandler;
  read = (await import('../../../functions/inventory-read.ts')).handler as HttpHandler;
  reservations = (await import('../../../functions/reservations.ts')).handler as HttpHandler;
  admin = (await import('../../../functions/inventory-admin.ts')).handler as HttpHandler;
  publishChanges = (await import('../../../functions/publish-changes.ts')).handler as never;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await t.drop();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('entry points wired at module load', () => {
  it('health answers ok and serves the committed OpenAPI document', async () => {
    expect(await call(health, httpEvent('GET /health'))).toMatchObject({
      status: 200,
      body: { status: 'ok' },
    });
    const doc = await call(health, httpEvent('GET /openapi.json'));
    expect(doc.body).toEqual(
      JSON.parse(readFileSync(new URL('../../../openapi.json', import.meta.url), 'utf8')),
    );
  });

  it('reserves through the real handler with a real token, replays with 200; the stream publisher puts InventoryReserved', async () => {
    await seedItem(t.doc, t.tableName, 'FN-1', 5);
    const bookingId = randomUUID();
    const token = await sign({ client_id: AUDIENCE, scope: 'inventory/write' });
    const reserve = () =>
      call(
        reservations,
        httpEvent('POST /api/inventory/reserve', {
          body: { bookingId, itemId: 'FN-1', quantity: 2 },
          headers: { ...bearer(token), 'x-correlation-id': 'corr-fn-1' },
        }),
      );
    const first = await reserve();
    expect(first).toMatchObject({ status: 201, body: { bookingId, status: 'RESERVED' } });
    expect(first.headers['x-correlation-id']).toBe('corr-fn-1');
    const again = await reserve();
    expect(again.status).toBe(200);
    expect(again.body?.reservationId).toBe(first.body?.reservationId);

    // The HTTP function answers right after the commit and puts nothing on the bus ...
    expect(putEvents.filter((e) => e.DetailType === 'InventoryReserved')).toHaveLength(0);
    // ... the change-stream publisher does, from the committed row.
    const records = await t.stream.drainRaw();
    const response = await publishChanges({ Records: records } as never, lambdaContext());
    expect(response).toEqual({ batchItemFailures: [] });
    const reserved = putEvents
      .filter((e) => e.DetailType === 'InventoryReserved')
      .map((e) => JSON.parse(e.Detail));
    expect(reserved).toHaveLength(1);
    expect(reserved[0]).toMatchObject({
      metadata: { correlationId: 'corr-fn-1' },
      data: { bookingId, reservationId: first.body?.reservationId, items: [{ itemId: 'FN-1', quantity: 2 }] },
    });

    const item = await call(
      read,
      httpEvent('GET /api/inventory/{itemId}', { pathParameters: { itemId: 'FN-1' } }),
    );
    expect(item.body).toMatchObject({ availableQuantity: 3, reservedQuantity: 2 });

    const release = await call(
      reservations,
      httpEvent('POST /api/inventory/release', {
        body: { bookingId, reason: 'changed my mind' },
        headers: bearer(token),
      }),
    );
    expect(release).toMatchObject({ status: 200, body: { status: 'RELEASED', releaseReason: 'MANUAL' } });
    await publishChanges({ Records: await t.stream.drainRaw() }, lambdaContext());
    const released = putEvents
      .filter((e) => e.DetailType === 'InventoryReleased')
      .map((e) => JSON.parse(e.Detail));
    expect(released).toHaveLength(1);
    expect(released[0]).toMatchObject({ data: { bookingId, reason: 'MANUAL', previousStatus: 'RESERVED' } });
  });

  it("answers the same booking with other lines 409 BOOKING_CONFLICT (idempotency's refusal, mapped by the function's wiring)", async () => {
    await seedItem(t.doc, t.tableName, 'FN-2', 5);
    const bookingId = randomUUID();
    const token = await sign({ client_id: AUDIENCE, scope: 'inventory/write' });
    const reserve = (quantity: number) =>
      call(
        reservations,
        httpEvent('POST /api/inventory/reserve', {
          body: { bookingId, itemId: 'FN-2', quantity },
          headers: bearer(token),
        }),
      );
    expect((await reserve(1)).status).toBe(201);
    expect(await reserve(2)).toMatchObject({ status: 409, body: { error: { code: 'BOOKING_CONFLICT' } } });
  });

  it('refuses no token, an HS256 token, an unsigned token and a foreign audience with 401; a missing scope with 403', async () => {
    const get = (headers: Record<string, string>) =>
      call(
        reservations,
        httpEvent('GET /api/inventory/reservations/{bookingId}', {
          pathParameters: { bookingId: randomUUID() },
          headers,
        }),
      );
    const [header, payload] = (await sign({ aud: AUDIENCE, scope: 'inventory/write' })).split('.');
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', kid: 'k1' })).toString('base64url')}.${payload}.`;
    expect(header).toBeTruthy();
    expect((await get({})).body?.error.code).toBe('UNAUTHORIZED');
    expect((await get(bearer(hs256))).status).toBe(401);
    expect((await get(bearer(unsigned))).status).toBe(401);
    expect((await get(bearer(await sign({ aud: 'someone-else', scope: 'inventory/write' })))).status).toBe(
      401,
    );
    expect(await get(bearer(await sign({ aud: AUDIENCE, scope: 'inventory/read' })))).toMatchObject({
      status: 403,
      body: { error: { code: 'FORBIDDEN' } },
    });
    expect(await get(bearer(await sign({ aud: AUDIENCE, scope: 'inventory/write' })))).toMatchObject({
      status: 404,
      body: { error: { code: 'RESERVATION_NOT_FOUND' } },
    });
    // The write token does not open the admin routes.
    const put = await call(
      admin,
      httpEvent('PUT /api/inventory/{itemId}', {
        pathParameters: { itemId: 'FN-2' },
        body: { name: 'x', totalQuantity: 1 },
        headers: bearer(await sign({ aud: AUDIENCE, scope: 'inventory/write' })),
      }),
    );
    expect(put.status).toBe(403);
  });

  it('admin creates an item with an admin token and publishes nothing for a plain create', async () => {
    const res = await call(
      admin,
      httpEvent('PUT /api/inventory/{itemId}', {
        pathParameters: { itemId: 'FN-3' },
        body: { name: 'Suite', totalQuantity: 7 },
        headers: bearer(await sign({ aud: AUDIENCE, scope: 'inventory/write inventory/admin' })),
      }),
    );
    expect(res).toMatchObject({
      status: 201,
      body: { itemId: 'FN-3', totalQuantity: 7, availableQuantity: 7 },
    });
  });

  it('discovered the JWKS URI and fetched the keys over plain http once per function (cached)', () => {
    // Two functions verify tokens (reservations, admin), each with its own verifier.
    expect(discoveryHits).toBeGreaterThanOrEqual(1);
    expect(discoveryHits).toBeLessThanOrEqual(2);
    expect(jwksHits).toBeGreaterThanOrEqual(1);
    expect(jwksHits).toBeLessThanOrEqual(2);
  });
});
