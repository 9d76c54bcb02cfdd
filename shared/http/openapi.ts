import * as z from 'zod/mini';
import { ITEM_ID_PATTERN } from '../domain/limits.ts';
import { adjustmentRequest, putItemRequest } from './admin-routes.ts';
import { checkAvailabilityRequest } from './read-routes.ts';
import {
  availabilitySchema,
  errorSchema,
  healthSchema,
  itemListSchema,
  itemSchema,
  reservationSchema,
} from './response-schemas.ts';
import { type HttpMethodName, routeKeyOf, routeSpecOf, SCOPE_DOCS } from './route-table.ts';
import { releaseRequest, reserveRequest } from './routes.ts';

/**
 * Builds the OpenAPI 3.1 document from the same zod schemas that validate requests (each in
 * the route module that parses it) and from the answers' schemas (`response-schemas.ts`). OpenAPI
 * 3.1 schemas are JSON Schema 2020-12, which zod 4 emits natively (`z.toJSONSchema`), so
 * no converter library is needed.
 */

type Json = Record<string, unknown>;

const schemaOf = (schema: z.ZodMiniType, io: 'input' | 'output') => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io }) as Json;
  return rest;
};
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json) => ({ content: { 'application/json': { schema } } });
const error = (description: string) => ({ description, ...json(ref('Error')) });
const ok = (description: string, schema: Json) => ({ description, ...json(schema) });
const pathParam = (name: string, schema: Json) => ({ name, in: 'path', required: true, schema });
const authErrors = {
  401: error('Missing or invalid token (UNAUTHORIZED)'),
  403: error('Token lacks every scope of the route (FORBIDDEN)'),
};

/** Security and auth errors of an operation, from the route table (public: none). */
function access(method: HttpMethodName, path: string): Json {
  const spec = routeSpecOf(routeKeyOf({ method, path }));
  if (!spec) throw new Error(`${method} ${path} is not in the route table`);
  if (spec.scopes.length === 0) return {};
  return { security: [{ jwt: [...spec.scopes] }] };
}
const scopesDescription = Object.entries(SCOPE_DOCS)
  .map(([scope, doc]) => `\`${scope}\`: ${doc.allows} (held by ${doc.heldBy})`)
  .join('; ');
const itemIdParam = pathParam('itemId', { type: 'string', pattern: ITEM_ID_PATTERN.source });

export function buildOpenApiDocument(): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Inventory reservation service',
      version: '1.0.0',
      description: 'Errors are `{ "error": { "code", "message", "details"? } }`.',
    },
    paths: {
      '/health': {
        get: { summary: 'Liveness', responses: { 200: ok('OK', schemaOf(healthSchema, 'output')) } },
      },
      '/api/inventory': {
        get: {
          summary: 'List items',
          parameters: [
            {
              name: 'limit',
              in: 'query',
              schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
            },
            { name: 'nextToken', in: 'query', schema: { type: 'string' } },
          ],
          responses: {
            200: ok('A page of items', schemaOf(itemListSchema, 'output')),
            400: error('VALIDATION_ERROR, or INVALID_CURSOR for a nextToken this API did not issue'),
          },
        },
      },
      '/api/inventory/{itemId}': {
        get: {
          summary: 'Get an item',
          parameters: [itemIdParam],
          responses: { 200: ok('The item', ref('Item')), 404: error('ITEM_NOT_FOUND') },
        },
        put: {
          summary: 'Create an item or set its name and total',
          ...access('PUT', '/api/inventory/{itemId}'),
          parameters: [itemIdParam],
          requestBody: { required: true, ...json(schemaOf(putItemRequest, 'input')) },
          responses: {
            201: ok('Created', ref('Item')),
            200: ok('Updated', ref('Item')),
            400: error('VALIDATION_ERROR'),
            ...authErrors,
            409: error('STOCK_CONFLICT: total below reserved + confirmed'),
          },
        },
      },
      '/api/inventory/{itemId}/adjustments': {
        post: {
          summary: 'Replenish or shrink stock',
          ...access('POST', '/api/inventory/{itemId}/adjustments'),
          parameters: [itemIdParam],
          requestBody: { required: true, ...json(schemaOf(adjustmentRequest, 'input')) },
          responses: {
            200: ok('The item', ref('Item')),
            400: error('VALIDATION_ERROR'),
            ...authErrors,
            404: error('ITEM_NOT_FOUND'),
            409: error('STOCK_CONFLICT: available would go below zero'),
          },
        },
      },
      '/api/inventory/check-availability': {
        post: {
          summary: 'Check availability (advisory: only a reserve decides)',
          requestBody: { required: true, ...json(schemaOf(checkAvailabilityRequest, 'input')) },
          responses: {
            200: ok('Availability per line', schemaOf(availabilitySchema, 'output')),
            400: error('VALIDATION_ERROR'),
            404: error('ITEM_NOT_FOUND'),
          },
        },
      },
      '/api/inventory/reserve': {
        post: {
          summary: 'Reserve every line of a booking, or none',
          ...access('POST', '/api/inventory/reserve'),
          requestBody: { required: true, ...json(schemaOf(reserveRequest, 'input')) },
          responses: {
            201: ok('Reserved', ref('Reservation')),
            200: ok('The same request again: the existing reservation', ref('Reservation')),
            202: ok(
              'Stock is short and the request asked to wait: WAITLISTED, with its priority, until and positions',
              ref('Reservation'),
            ),
            400: error('VALIDATION_ERROR, MALFORMED_JSON'),
            ...authErrors,
            404: error('ITEM_NOT_FOUND'),
            409: error(
              'INSUFFICIENT_INVENTORY (details per line), BOOKING_CONFLICT (other lines, or the booking belongs to another caller) or REQUEST_IN_PROGRESS',
            ),
            413: error('PAYLOAD_TOO_LARGE'),
            415: error('UNSUPPORTED_MEDIA_TYPE'),
          },
        },
      },
      '/api/inventory/release': {
        post: {
          summary: 'Release a booking (idempotent)',
          ...access('POST', '/api/inventory/release'),
          requestBody: { required: true, ...json(schemaOf(releaseRequest, 'input')) },
          responses: {
            200: ok('Released', ref('Reservation')),
            400: error('VALIDATION_ERROR'),
            ...authErrors,
            404: error(
              'RESERVATION_NOT_FOUND: an owner asked for a booking that is not its own or does not exist (nothing is written)',
            ),
          },
        },
      },
      '/api/inventory/reservations/{bookingId}': {
        get: {
          summary: "A booking's reservation",
          ...access('GET', '/api/inventory/reservations/{bookingId}'),
          parameters: [pathParam('bookingId', { type: 'string', format: 'uuid' })],
          responses: {
            200: ok('The reservation', ref('Reservation')),
            ...authErrors,
            404: error("RESERVATION_NOT_FOUND (also for a booking that is not the caller's own)"),
          },
        },
      },
      '/openapi.json': {
        get: { summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1' } } },
      },
    },
    components: {
      securitySchemes: {
        jwt: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: `OAuth 2.0 access token; a route accepts any one of its scopes. ${scopesDescription}.`,
        },
      },
      schemas: {
        Item: schemaOf(itemSchema, 'output'),
        Reservation: schemaOf(reservationSchema, 'output'),
        Error: schemaOf(errorSchema, 'output'),
      },
    },
  };
}

export const openApiFileContent = () => `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
