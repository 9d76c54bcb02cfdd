import { describe, expect, it } from 'vitest';
import { createHttpHandler, type HttpRequest } from '../../../shared/http/middleware.ts';
import { call, httpEvent } from '../../support/http.ts';

describe('HTTP stack: body decoding and correlation id', () => {
  // Echoes what the route received, so each case sees exactly what a handler would.
  const seen: HttpRequest[] = [];
  const handler = createHttpHandler({
    'POST /echo': async (request) => {
      seen.push(request);
      return {
        statusCode: 200,
        body: JSON.stringify({ body: request.body, correlationId: request.correlationId }),
      };
    },
  });

  it('parses a base64-encoded JSON body (HTTP API may encode bodies)', async () => {
    const event = httpEvent('POST /echo', {
      rawBody: Buffer.from(JSON.stringify({ itemId: 'A', quantity: 2 })).toString('base64'),
    });
    event.isBase64Encoded = true;
    const res = await call(handler, event);
    expect(res).toMatchObject({ status: 200, body: { body: { itemId: 'A', quantity: 2 } } });
  });

  it('refuses base64 that does not decode to JSON with 400 MALFORMED_JSON', async () => {
    const event = httpEvent('POST /echo', { rawBody: Buffer.from('{"a":').toString('base64') });
    event.isBase64Encoded = true;
    const res = await call(handler, event);
    expect(res).toMatchObject({ status: 400, body: { error: { code: 'MALFORMED_JSON' } } });
  });

  it('measures the decoded size of a base64 body against the limit', async () => {
    const small = createHttpHandler(
      { 'POST /echo': async () => ({ statusCode: 200 }) },
      { maxBodyBytes: 30 },
    );
    // 30 bytes of JSON encode to 40 base64 characters: still within a 30-byte limit.
    const json = JSON.stringify({ p: 'x'.repeat(22) });
    expect(Buffer.byteLength(json)).toBe(30);
    const event = httpEvent('POST /echo', { rawBody: Buffer.from(json).toString('base64') });
    event.isBase64Encoded = true;
    expect((await call(small, event)).status).toBe(200);
    const bigger = httpEvent('POST /echo', { rawBody: JSON.stringify({ p: 'x'.repeat(23) }) });
    expect(await call(small, bigger)).toMatchObject({
      status: 413,
      body: { error: { code: 'PAYLOAD_TOO_LARGE' } },
    });
  });

  it('takes the correlation id from the header first, then the body, else the API request id, and echoes it', async () => {
    const fromHeader = await call(
      handler,
      httpEvent('POST /echo', {
        body: { correlationId: 'from-body' },
        headers: { 'x-correlation-id': 'from-header' },
      }),
    );
    expect(fromHeader.body?.correlationId).toBe('from-header');
    expect(fromHeader.headers['x-correlation-id']).toBe('from-header');

    const fromBody = await call(handler, httpEvent('POST /echo', { body: { correlationId: 'from-body' } }));
    expect(fromBody.body?.correlationId).toBe('from-body');
    expect(fromBody.headers['x-correlation-id']).toBe('from-body');

    const event = httpEvent('POST /echo', { body: {} });
    const fallback = await call(handler, event);
    expect(fallback.body?.correlationId).toBe(event.requestContext.requestId);
    expect(fallback.headers['x-correlation-id']).toBe(event.requestContext.requestId);
  });

  it('echoes the correlation id on error responses too', async () => {
    const res = await call(
      handler,
      httpEvent('POST /echo', { rawBody: '{', headers: { 'x-correlation-id': 'c-err' } }),
    );
    expect(res.status).toBe(400);
    expect(res.headers['x-correlation-id']).toBe('c-err');
  });

  it('answers a POST without a body with 400 VALIDATION_ERROR (not a parse error, not a 500)', async () => {
    const event = httpEvent('POST /echo', { headers: { 'content-type': 'application/json' } });
    expect(event.body).toBeUndefined();
    expect(await call(handler, event)).toMatchObject({
      status: 400,
      body: { error: { code: 'VALIDATION_ERROR', message: 'A JSON request body is required' } },
    });
  });

  it('answers an unknown route key with 404 ROUTE_NOT_FOUND', async () => {
    const res = await call(
      handler,
      httpEvent('DELETE /api/inventory/{itemId}', { pathParameters: { itemId: 'A' } }),
    );
    expect(res).toMatchObject({ status: 404, body: { error: { code: 'ROUTE_NOT_FOUND' } } });
  });
});
