import { readFileSync } from 'node:fs';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { ItemNotFoundError } from '../../../shared/domain/errors.ts';
import type { InventoryStore, StoredItem } from '../../../shared/domain/ports.ts';
import { createTokenVerifier, type TokenVerifier } from '../../../shared/http/auth.ts';
import { HttpError } from '../../../shared/http/errors.ts';
import { IDEMPOTENCY_ERRORS } from '../../../shared/http/idempotency-errors.ts';
import { createHttpHandler } from '../../../shared/http/middleware.ts';
import { openApiFileContent } from '../../../shared/http/openapi.ts';
import { readRoutes } from '../../../shared/http/read-routes.ts';
import { call, httpEvent } from '../../support/http.ts';

const ISSUER = 'https://issuer.test';
const JWKS_URI = `${ISSUER}/.well-known/jwks.json`;

describe('token verification (in-function, defence in depth)', () => {
  let sign: (
    claims: Record<string, unknown>,
    options?: { expiresIn?: string; kid?: string },
  ) => Promise<string>;
  let signWithOtherKey: (claims: Record<string, unknown>) => Promise<string>;
  let verify: TokenVerifier;
  const fetched: string[] = [];

  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const other = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    sign = (claims, options = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? 'k1' })
        .setIssuer(ISSUER)
        .setIssuedAt()
        .setExpirationTime(options.expiresIn ?? '5m')
        .sign(privateKey);
    signWithOtherKey = (claims) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(ISSUER)
        .setExpirationTime('5m')
        .sign(other.privateKey);
    // A fetcher fake: the JWKS bytes, no network.
    verify = createTokenVerifier(
      { issuer: ISSUER, audience: ['inventory-api'], jwksUri: JWKS_URI },
      {
        fetch: async (uri) => {
          fetched.push(uri);
          return new TextEncoder().encode(JSON.stringify({ keys: [jwk] })).buffer as ArrayBuffer;
        },
      },
    );
  });

  const expectHttp = async (promise: Promise<unknown>, status: number, code: string) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ statusCode: status, code });
  };

  it('accepts a valid token with the scope, by aud or by Cognito client_id', async () => {
    const byAud = await verify(
      `Bearer ${await sign({ aud: 'inventory-api', sub: 'u1', scope: 'inventory/write' })}`,
    );
    expect(byAud).toMatchObject({ subject: 'u1', scopes: ['inventory/write'] });
    const byClient = await verify(
      `Bearer ${await sign({ client_id: 'inventory-api', scope: 'inventory/write inventory/admin' })}`,
    );
    expect(byClient.clientId).toBe('inventory-api');
    expect(fetched[0]).toBe(JWKS_URI);
  });

  it('answers 401 without a token, with a bad signature, expired, wrong issuer or wrong audience', async () => {
    await expectHttp(verify(undefined), 401, 'UNAUTHORIZED');
    await expectHttp(verify('Basic abc'), 401, 'UNAUTHORIZED');
    await expectHttp(
      verify(`Bearer ${await signWithOtherKey({ aud: 'inventory-api', scope: 'inventory/write' })}`),
      401,
      'UNAUTHORIZED',
    );
    await expectHttp(
      verify(
        `Bearer ${await sign({ aud: 'inventory-api', scope: 'inventory/write' }, { expiresIn: '-5m' })}`,
      ),
      401,
      'UNAUTHORIZED',
    );
    await expectHttp(
      verify(`Bearer ${await sign({ aud: 'someone-else', scope: 'inventory/write' })}`),
      401,
      'UNAUTHORIZED',
    );
    const foreign = await new SignJWT({ aud: 'inventory-api', scope: 'inventory/write' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer('https://evil.test')
      .setExpirationTime('5m')
      .sign((await generateKeyPair('RS256')).privateKey);
    await expectHttp(verify(`Bearer ${foreign}`), 401, 'UNAUTHORIZED');
  });

  it('refuses unsigned (alg none) and symmetric (HS256) tokens', async () => {
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const claims = {
      iss: ISSUER,
      aud: 'inventory-api',
      scope: 'inventory/write',
      exp: Math.floor(Date.now() / 1000) + 300,
    };
    await expectHttp(
      verify(`Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`),
      401,
      'UNAUTHORIZED',
    );
    const hs = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .sign(new TextEncoder().encode('a-shared-secret-of-32-bytes-long!'));
    await expectHttp(verify(`Bearer ${hs}`), 401, 'UNAUTHORIZED');
  });
  // The scope itself is checked by the route table's middleware: test/unit/http/route-table.test.ts.
});

describe('HTTP stack: bad input is a 4xx with a code, never a 500', () => {
  const item: StoredItem = {
    itemId: 'ROOM-101',
    name: 'Room',
    totalQuantity: 5,
    availableQuantity: 3,
    reservedQuantity: 2,
    confirmedQuantity: 0,
    updatedAt: '2026-01-01T00:00:00.000Z',
    version: 4,
  };
  const store = {
    getItem: async (id: string) => (id === item.itemId ? item : undefined),
    getItems: async (ids: readonly string[]) =>
      new Map(ids.filter((i) => i === item.itemId).map((i) => [i, item])),
    listItems: async () => ({ items: [item] }),
  } as unknown as InventoryStore;
  const handler = createHttpHandler({
    ...readRoutes({ store, cursorKey: 'k'.repeat(32) }),
    'GET /boom': async () => {
      throw new Error('secret internal detail');
    },
    'GET /missing': async () => {
      throw new ItemNotFoundError(['X']);
    },
  });
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    call(handler, httpEvent('POST /api/inventory/check-availability', { body, headers }));

  it('serves an item without storage fields', async () => {
    const res = await call(
      handler,
      httpEvent('GET /api/inventory/{itemId}', { pathParameters: { itemId: 'ROOM-101' } }),
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...item, version: undefined });
    expect(res.body).not.toHaveProperty('version');
    expect(res.headers['x-correlation-id']).toBeTruthy();
  });

  it('answers check-availability per line, in the order asked', async () => {
    const res = await post({ items: [{ itemId: 'ROOM-101', quantity: 4 }] });
    expect(res).toMatchObject({
      status: 200,
      body: {
        available: false,
        items: [{ itemId: 'ROOM-101', requested: 4, availableQuantity: 3, available: false }],
      },
    });
    expect((await post({ itemId: 'ROOM-101', quantity: 2 })).body?.available).toBe(true);
  });

  it.each([
    ['malformed JSON', { rawBody: '{"itemId": ' }, 400, 'MALFORMED_JSON'],
    ['wrong type', { body: { itemId: 'ROOM-101', quantity: '2' } }, 400, 'VALIDATION_ERROR'],
    ['unknown field', { body: { itemId: 'ROOM-101', quantity: 1, extra: true } }, 400, 'VALIDATION_ERROR'],
    ['bad item id', { body: { itemId: '-bad id', quantity: 1 } }, 400, 'VALIDATION_ERROR'],
    ['quantity 0', { body: { itemId: 'ROOM-101', quantity: 0 } }, 400, 'VALIDATION_ERROR'],
    [
      '26 lines',
      { body: { items: Array.from({ length: 26 }, (_, i) => ({ itemId: `I-${i}`, quantity: 1 })) } },
      400,
      'VALIDATION_ERROR',
    ],
    [
      'a repeated item',
      {
        body: {
          items: [
            { itemId: 'A', quantity: 1 },
            { itemId: 'A', quantity: 2 },
          ],
        },
      },
      400,
      'VALIDATION_ERROR',
    ],
    [
      'an oversize body',
      { rawBody: JSON.stringify({ itemId: 'A', quantity: 1, pad: 'x'.repeat(20_000) }) },
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    [
      'no JSON content type',
      { body: { itemId: 'A', quantity: 1 }, headers: { 'content-type': 'text/plain' } },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    ['an unknown item', { body: { itemId: 'GHOST', quantity: 1 } }, 404, 'ITEM_NOT_FOUND'],
  ])(
    '%s',
    async (_case, input: {
      body?: unknown;
      rawBody?: string;
      headers?: Record<string, string>;
    }, status, code) => {
      const res = await call(handler, httpEvent('POST /api/inventory/check-availability', input));
      expect(res.status).toBe(status);
      expect(res.body?.error.code).toBe(code);
      expect(typeof res.body?.error.message).toBe('string');
    },
  );

  it('refuses a bad pagination token and a bad limit with 400', async () => {
    const res = await call(handler, httpEvent('GET /api/inventory', { query: { limit: '1000' } }));
    expect(res.body?.error.code).toBe('VALIDATION_ERROR');
  });

  it('maps domain errors by type, unknown routes to 404, and hides 5xx details', async () => {
    expect((await call(handler, httpEvent('GET /missing'))).body?.error.code).toBe('ITEM_NOT_FOUND');
    expect((await call(handler, httpEvent('GET /nowhere'))).status).toBe(404);
    const boom = await call(handler, httpEvent('GET /boom'));
    expect(boom).toMatchObject({
      status: 500,
      body: { error: { code: 'INTERNAL_ERROR', message: 'Internal server error' } },
    });
    expect(JSON.stringify(boom.body)).not.toContain('secret');
  });
});

describe('OpenAPI document', () => {
  it('is committed and current (run `npm run openapi` after changing a schema)', () => {
    expect(readFileSync(new URL('../../../openapi.json', import.meta.url), 'utf8')).toBe(
      openApiFileContent(),
    );
  });
});

describe('idempotency outcomes over HTTP', () => {
  it('maps an in-progress duplicate to 409 REQUEST_IN_PROGRESS and a changed payload to 409 BOOKING_CONFLICT', async () => {
    const { IdempotencyAlreadyInProgressError, IdempotencyValidationError } = await import(
      '@aws-lambda-powertools/idempotency'
    );
    const routes = {
      'POST /dup': async () => {
        throw new IdempotencyAlreadyInProgressError('in progress');
      },
      'POST /changed': async () => {
        throw new IdempotencyValidationError('payload changed');
      },
    };
    const handler = createHttpHandler(routes, { errors: IDEMPOTENCY_ERRORS });
    const dup = await call(handler, httpEvent('POST /dup', { body: {} }));
    expect(dup).toMatchObject({ status: 409, body: { error: { code: 'REQUEST_IN_PROGRESS' } } });
    const changed = await call(handler, httpEvent('POST /changed', { body: {} }));
    expect(changed).toMatchObject({ status: 409, body: { error: { code: 'BOOKING_CONFLICT' } } });
    // A function that does not pass them (none of its routes can raise them) answers 500, details logged.
    const without = await call(createHttpHandler(routes), httpEvent('POST /dup', { body: {} }));
    expect(without).toMatchObject({ status: 500, body: { error: { code: 'INTERNAL_ERROR' } } });
  });
});
