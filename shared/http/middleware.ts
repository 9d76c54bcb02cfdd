import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { clearBookingContext, logger, metrics, setBookingContext } from '../observability.ts';
import { errorResponse, HttpError, toErrorResponse } from './errors.ts';

/** Largest request body accepted (API Gateway's own cap is 10 MB; ours are tiny). */
export const MAX_BODY_BYTES = 16 * 1024;

export interface HttpRequest {
  event: APIGatewayProxyEventV2;
  /** The parsed JSON body (`undefined` for methods without one). */
  body: unknown;
  correlationId: string;
  context: Context;
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

/** The caller's correlation id (header, then body), else the API request id. */
export function correlationIdOf(event: APIGatewayProxyEventV2): string {
  const body = event.body as unknown;
  const fromBody =
    body &&
    typeof body === 'object' &&
    typeof (body as { correlationId?: unknown }).correlationId === 'string'
      ? (body as { correlationId: string }).correlationId
      : undefined;
  return event.headers?.['x-correlation-id']?.slice(0, 128) || fromBody || event.requestContext.requestId;
}

/** Binds the correlation id to every log line and echoes it in the response. */
const correlation = (): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> => ({
  before: ({ event, internal }) => {
    const correlationId = correlationIdOf(event);
    (internal as Record<string, unknown>).correlationId = correlationId;
    setBookingContext({ correlationId });
  },
  after: ({ response, internal }) => {
    if (response) {
      response.headers = {
        ...response.headers,
        'x-correlation-id': String((internal as Record<string, unknown>).correlationId),
      };
    }
  },
});

/**
 * The one middy stack of our HTTP functions: body limit, JSON parsing, logging with the
 * correlation id, metrics, dispatch on the route key, and the error mapper registered
 * last so every failure is `{ error: { code, message, details? } }` (5xx without details).
 */
export function createHttpHandler(
  routes: Record<string, RouteHandler>,
  options: { maxBodyBytes?: number } = {},
): Handler {
  const dispatch = async (event: APIGatewayProxyEventV2, context: Context) => {
    const route = routes[event.routeKey];
    if (!route) return errorResponse(404, 'ROUTE_NOT_FOUND', `No route ${event.routeKey}`);
    return route({ event, body: event.body as unknown, correlationId: correlationIdOf(event), context });
  };
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>({ timeoutEarlyInMillis: 0 })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    .use(bodyLimit(options.maxBodyBytes ?? MAX_BODY_BYTES))
    .use(jsonBody())
    .use(correlation())
    .use(errorMapper())
    .handler(dispatch) as unknown as Handler;
}

/** Registered last: every failure becomes the API's error body; 5xx details stay in the logs. */
function errorMapper(): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return {
    onError: (request) => {
      const { response, unexpected } = toErrorResponse(request.error);
      if (unexpected) logger.error('Unhandled error', request.error as Error);
      else logger.info('Request refused', { statusCode: response.statusCode, error: request.error?.message });
      request.response = {
        ...response,
        headers: {
          ...response.headers,
          // Parsing may fail before the correlation middleware ran: then header or request id.
          'x-correlation-id': String(
            (request.internal as Record<string, unknown>).correlationId ?? correlationIdOf(request.event),
          ),
        },
      };
      clearBookingContext();
    },
    after: () => clearBookingContext(),
  };
}
