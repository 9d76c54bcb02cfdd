import { randomUUID } from 'node:crypto';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { clearBookingContext, logger, metrics, setBookingContext } from '../observability.ts';
import type { Principal, TokenVerifier } from './auth.ts';
import { type ErrorMapping, errorResponse, HttpError, toErrorResponse } from './errors.ts';
import { routeSpecOf } from './route-table.ts';

/** Largest request body accepted (API Gateway's own cap is 10 MB; ours are tiny). */
export const MAX_BODY_BYTES = 16 * 1024;

export interface HttpRequest {
  event: APIGatewayProxyEventV2;
  /** The parsed JSON body (`undefined` for methods without one). */
  body: unknown;
  correlationId: string;
  context: Context;
  /** The verified caller, on routes the route table scopes. */
  principal?: Principal;
}

export type RouteHandler = (request: HttpRequest) => Promise<APIGatewayProxyStructuredResultV2>;

type Handler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/** Refuses oversize bodies before anything parses them. */
const bodyLimit = (maxBytes: number): MiddlewareObj<APIGatewayProxyEventV2> => ({
  before: ({ event }) => {
    if (event.body === undefined) return;
    const bytes = event.isBase64Encoded
      ? Buffer.byteLength(event.body, 'base64')
      : Buffer.byteLength(event.body, 'utf8');
    if (bytes > maxBytes) {
      throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `The request body exceeds ${maxBytes} bytes`);
    }
  },
});

/** JSON parsing (middy's parser) only where a body belongs; its errors become our codes. */
const jsonBody = (): MiddlewareObj<APIGatewayProxyEventV2> => {
  const parser = httpJsonBodyParser();
  return {
    before: async (request) => {
      if (!METHODS_WITH_BODY.has(request.event.requestContext?.http?.method ?? '')) return;
      try {
        await parser.before?.(request as never);
      } catch (error) {
        const status = (error as { statusCode?: number }).statusCode;
        if (status === 415)
          throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json');
        if (request.event.body === undefined || request.event.body === '')
          throw new HttpError(400, 'VALIDATION_ERROR', 'A JSON request body is required');
        throw new HttpError(400, 'MALFORMED_JSON', 'The request body is not valid JSON');
      }
    },
  };
};

/** A correlation id we accept from a caller: safe in a header, a log line and an event. */
export const CORRELATION_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

const resolved = new WeakMap<APIGatewayProxyEventV2, string>();

/**
 * The request's correlation id, decided once per event: the caller's (header, then body)
 * when it matches {@link CORRELATION_ID_PATTERN}, else the API request id, else a fresh
 * UUID. A refused caller value is logged (its source and length, never the value) and never
 * echoed: it could carry CR/LF, non-ASCII or kilobytes into a response header.
 */
export function correlationIdOf(event: APIGatewayProxyEventV2): string {
  const known = resolved.get(event);
  if (known) return known;
  const body = event.body as unknown;
  const fromBody =
    body && typeof body === 'object' ? (body as { correlationId?: unknown }).correlationId : undefined;
  const offered: [string, unknown][] = [
    ['header', event.headers?.['x-correlation-id']],
    ['body', fromBody],
  ];
  let id: string | undefined;
  for (const [source, value] of offered) {
    if (value === undefined || value === '') continue;
    if (typeof value === 'string' && CORRELATION_ID_PATTERN.test(value)) {
      id = value;
      break;
    }
    logger.warn('Correlation id refused', {
      source,
      length: typeof value === 'string' ? value.length : undefined,
      type: typeof value,
    });
  }
  const requestId = event.requestContext?.requestId;
  id ??= requestId && CORRELATION_ID_PATTERN.test(requestId) ? requestId : randomUUID();
  resolved.set(event, id);
  return id;
}

/** Binds the correlation id to every log line and echoes it in the response. */
const correlation = (): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> => ({
  before: ({ event }) => {
    setBookingContext({ correlationId: correlationIdOf(event) });
  },
  after: ({ event, response }) => {
    if (response) response.headers = { ...response.headers, 'x-correlation-id': correlationIdOf(event) };
  },
});

/**
 * The route table's scope check, for every route of the function in one place: a route
 * with scopes needs a valid token holding at least one of them (401 without a valid token,
 * 403 without the scope); public routes pass. The principal goes to the route.
 */
const authorize = (
  verifyToken: TokenVerifier | undefined,
): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> => ({
  before: async ({ event }) => {
    const spec = routeSpecOf(event.routeKey);
    if (!spec || spec.scopes.length === 0) return;
    if (!verifyToken) throw new Error(`Route ${event.routeKey} needs a token verifier`);
    const principal = await verifyToken(event.headers?.authorization);
    if (!principal.scopes.some((s) => (spec.scopes as readonly string[]).includes(s))) {
      logger.info('Token refused', { reason: 'missing scope', needs: spec.scopes, has: principal.scopes });
      throw new HttpError(403, 'FORBIDDEN', `The token needs one of the scopes ${spec.scopes.join(', ')}`);
    }
    principals.set(event, principal);
  },
});
const principals = new WeakMap<APIGatewayProxyEventV2, Principal>();

/**
 * The one middy stack of our HTTP functions: body limit, JSON parsing, logging with the
 * correlation id, the route table's scope check, metrics, dispatch on the route key, and
 * the error mapper registered last so every failure is `{ error: { code, message,
 * details? } }` (5xx without details).
 */
export function createHttpHandler(
  routes: Record<string, RouteHandler>,
  options: {
    maxBodyBytes?: number;
    verifyToken?: TokenVerifier;
    /** Errors of libraries only these routes use, and their answers (e.g. IDEMPOTENCY_ERRORS). */
    errors?: readonly ErrorMapping[];
  } = {},
): Handler {
  for (const routeKey of Object.keys(routes)) {
    if ((routeSpecOf(routeKey)?.scopes.length ?? 0) > 0 && !options.verifyToken) {
      throw new Error(`Route ${routeKey} has scopes in the route table: pass verifyToken`);
    }
  }
  const dispatch = async (event: APIGatewayProxyEventV2, context: Context) => {
    const route = routes[event.routeKey];
    if (!route) return errorResponse(404, 'ROUTE_NOT_FOUND', `No route ${event.routeKey}`);
    const principal = principals.get(event);
    return route({
      event,
      body: event.body as unknown,
      correlationId: correlationIdOf(event),
      context,
      ...(principal ? { principal } : {}),
    });
  };
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>({ timeoutEarlyInMillis: 0 })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(metricsNeverFail())
    .use(bodyLimit(options.maxBodyBytes ?? MAX_BODY_BYTES))
    .use(jsonBody())
    .use(correlation())
    .use(authorize(options.verifyToken))
    .use(errorMapper(options.errors ?? []))
    .handler(dispatch) as unknown as Handler;
}

/**
 * Powertools' metrics middleware, except that a failing flush (after the route answered,
 * or again while an error is handled) is logged instead of thrown: losing a data point
 * must not turn a committed write into a 5xx.
 */
function metricsNeverFail(): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  const inner = logMetrics(metrics) as MiddlewareObj<
    APIGatewayProxyEventV2,
    APIGatewayProxyStructuredResultV2
  >;
  const guarded =
    (hook: MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>['after']) =>
    async (request: Parameters<NonNullable<typeof hook>>[0]) => {
      try {
        await hook?.(request);
      } catch (error) {
        logger.error('Publishing metrics failed; the answer stands', error as Error);
      }
    };
  return {
    ...(inner.before ? { before: inner.before } : {}),
    after: guarded(inner.after),
    onError: guarded(inner.onError),
  };
}

/**
 * Registered last: every failure becomes the API's error body; 5xx details stay in the logs.
 * A failure after the route answered (an `after` hook: metrics flush, headers) keeps the
 * route's answer: the write it reports has committed, so turning it into a 5xx would tell
 * the client it failed when it did not.
 */
function errorMapper(
  mappings: readonly ErrorMapping[],
): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return {
    onError: (request) => {
      const answered = request.response;
      if (answered?.statusCode !== undefined && answered.statusCode < 500) {
        logger.error('Failure after the route answered; its answer stands', request.error as Error);
        request.response = {
          ...answered,
          headers: { ...answered.headers, 'x-correlation-id': correlationIdOf(request.event) },
        };
        clearBookingContext();
        return;
      }
      const { response, unexpected } = toErrorResponse(request.error, mappings);
      if (unexpected) logger.error('Unhandled error', request.error as Error);
      else logger.info('Request refused', { statusCode: response.statusCode, error: request.error?.message });
      request.response = {
        ...response,
        headers: { ...response.headers, 'x-correlation-id': correlationIdOf(request.event) },
      };
      clearBookingContext();
    },
    after: () => clearBookingContext(),
  };
}
