import { validateHeaderValue } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHttpHandler } from '../../../shared/http/middleware.ts';
import { logger, metrics } from '../../../shared/observability.ts';
import { call, httpEvent } from '../../support/http.ts';

/**
 * A caller's correlation id is accepted only when it matches ^[A-Za-z0-9._:-]{1,128}$;
 * anything else is replaced by a fresh id, the refusal logged, and the raw value never
 * echoed. And nothing that fails after a route answered can turn its answer into a 5xx.
 */
const SAFE = /^[A-Za-z0-9._:-]{1,128}$/;

describe('correlation ids from callers', () => {
  let commits = 0;
  const handler = createHttpHandler({
    'POST /commit': async ({ correlationId }) => {
      commits++;
      return { statusCode: 201, body: JSON.stringify({ correlationId }) };
    },
  });
  afterEach(() => vi.restoreAllMocks());

  const nasty: [string, string][] = [
    ['non-ASCII', '€uro'],
    ['CR/LF', 'abc\r\nset-cookie: session=stolen'],
    ['12,000 characters', 'a'.repeat(12_000)],
    ['a space', 'two words'],
    ['NUL', 'a\u0000b'],
  ];

  it.each(nasty)(
    'replaces a header id with %s by a fresh safe one, logs the refusal, and answers 201',
    async (_case, raw) => {
      const warn = vi.spyOn(logger, 'warn');
      const before = commits;
      const res = await call(
        handler,
        httpEvent('POST /commit', { body: {}, headers: { 'x-correlation-id': raw } }),
      );
      expect(res.status).toBe(201);
      expect(commits).toBe(before + 1);
      const echoed = String(res.headers['x-correlation-id']);
      expect(echoed).toMatch(SAFE);
      expect(echoed).not.toBe(raw);
      expect(() => validateHeaderValue('x-correlation-id', echoed)).not.toThrow();
      expect(res.body?.correlationId).toBe(echoed);
      const refusal = warn.mock.calls.find((c) => c[0] === 'Correlation id refused');
      expect(refusal).toBeDefined();
      expect(JSON.stringify(refusal)).not.toContain(raw.slice(0, 20));
    },
  );

  it.each(nasty)('does the same for a body correlationId with %s', async (_case, raw) => {
    const res = await call(handler, httpEvent('POST /commit', { body: { correlationId: raw } }));
    expect(res.status).toBe(201);
    expect(String(res.headers['x-correlation-id'])).toMatch(SAFE);
    expect(res.headers['x-correlation-id']).not.toBe(raw);
  });

  it('keeps a safe caller id as it is, on success and on errors', async () => {
    const id = 'booking-svc:2026-11-25T15.45:abc_DEF-1';
    const ok = await call(
      handler,
      httpEvent('POST /commit', { body: {}, headers: { 'x-correlation-id': id } }),
    );
    expect(ok.headers['x-correlation-id']).toBe(id);
    const bad = await call(
      handler,
      httpEvent('POST /commit', { rawBody: '{', headers: { 'x-correlation-id': id } }),
    );
    expect(bad).toMatchObject({ status: 400, headers: { 'x-correlation-id': id } });
    const badAndNasty = await call(
      handler,
      httpEvent('POST /commit', { rawBody: '{', headers: { 'x-correlation-id': '€\r\n' } }),
    );
    expect(String(badAndNasty.headers['x-correlation-id'])).toMatch(SAFE);
  });
});

describe('a committed write is never reported as a failure', () => {
  afterEach(() => vi.restoreAllMocks());

  it('keeps the 201 when flushing metrics fails after the route answered', async () => {
    let commits = 0;
    const handler = createHttpHandler({
      'POST /api/inventory/reserve-like': async () => {
        commits++;
        return { statusCode: 201, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' };
      },
    });
    vi.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => {
      throw new Error('metrics flush failed');
    });
    const res = await call(
      handler,
      httpEvent('POST /api/inventory/reserve-like', { body: {}, headers: { 'x-correlation-id': 'c-1' } }),
    );
    expect(commits).toBe(1);
    expect(res).toMatchObject({ status: 201, body: { ok: true }, headers: { 'x-correlation-id': 'c-1' } });
  });

  it('still answers 500 when the route itself failed', async () => {
    const handler = createHttpHandler({
      'POST /fails': async () => {
        throw new Error('boom');
      },
    });
    expect((await call(handler, httpEvent('POST /fails', { body: {} }))).status).toBe(500);
  });
});
