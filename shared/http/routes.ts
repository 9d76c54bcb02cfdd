import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context } from 'aws-lambda';
import { DomainError } from '../domain/errors.ts';
import type { Item, Reservation } from '../domain/model.ts';
import type { Dependencies } from '../domain/ports.ts';
import {
  adjustStock,
  checkAvailability,
  getItem,
  getReservation,
  listItems,
  putItem,
  releaseBooking,
  reserveBooking,
  toItem,
} from '../domain/use-cases/index.ts';
import { countMetric, logger, setBookingContext } from '../observability.ts';
import { Scope, type TokenVerifier } from './auth.ts';
import { jsonResponse } from './errors.ts';
import type { RouteHandler } from './middleware.ts';
import {
  adjustmentRequest,
  bookingIdSchema,
  checkAvailabilityRequest,
  itemIdSchema,
  linesOf,
  listQuery,
  putItemRequest,
  releaseRequest,
  reserveRequest,
} from './schemas.ts';

/** The public shape of a reservation (storage fields dropped). */
export function toReservationDto({ version: _v, generation: _g, ...reservation }: Reservation) {
  return reservation;
}

export function healthRoutes(openapi: unknown): Record<string, RouteHandler> {
  return {
    'GET /health': async () => jsonResponse(200, { status: 'ok' }),
    'GET /openapi.json': async () => jsonResponse(200, openapi),
  };
}

export function readRoutes(deps: Pick<Dependencies, 'store'>): Record<string, RouteHandler> {
  return {
    'GET /api/inventory': async ({ event }) => {
      const query = listQuery.parse(event.queryStringParameters ?? {});
      const page = await listItems(
        { limit: query.limit, ...(query.nextToken ? { cursor: query.nextToken } : {}) },
        deps,
      );
      return jsonResponse(200, { items: page.items, ...(page.cursor ? { nextToken: page.cursor } : {}) });
    },
    'GET /api/inventory/{itemId}': async ({ event }) => {
      const itemId = itemIdSchema.parse(event.pathParameters?.itemId);
      return jsonResponse(200, await getItem(itemId, deps));
    },
    'POST /api/inventory/check-availability': async ({ body }) => {
      const request = checkAvailabilityRequest.parse(body);
      return jsonResponse(200, await checkAvailability(linesOf(request), deps));
    },
  };
}

export interface ReservationRouteDeps extends Dependencies {
  verifyToken: TokenVerifier;
  /**
   * Makes a persistence layer; called once per operation. A Powertools persistence layer
   * keeps the first configuration it sees and ignores later ones, so reserve and release
   * sharing one would lose reserve's payload validation whenever release ran first.
   */
  createPersistenceStore: () => BasePersistenceLayer;
  defaultTtlSeconds: number;
}

interface ReserveCommand {
  operation: 'reserve';
  bookingId: string;
  items: { itemId: string; quantity: number }[];
  ttlSeconds?: number;
  correlationId: string;
}

interface ReleaseCommand {
  operation: 'release';
  bookingId: string;
  correlationId: string;
}

/**
 * Reserve and release, each wrapped in Powertools idempotency keyed on operation and
 * bookingId (payload validated on the lines): a retried request gets the first answer,
 * a concurrent duplicate a 409, a different payload for the same booking a 409.
 */
export function reservationRoutes(deps: ReservationRouteDeps): Record<string, RouteHandler> {
  const reserveConfig = new IdempotencyConfig({
    eventKeyJmesPath: '[operation, bookingId]',
    payloadValidationJmesPath: 'items',
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: 3600,
    // A stored answer is a replay: it must not claim to have created anything.
    responseHook: (response) => ({ ...(response as Record<string, unknown>), outcome: 'replayed' }),
  });
  const releaseConfig = new IdempotencyConfig({
    eventKeyJmesPath: '[operation, bookingId]',
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: 3600,
  });
  const reserve = makeIdempotent(
    async (command: ReserveCommand) => {
      const result = await reserveBooking(
        {
          bookingId: command.bookingId,
          items: command.items,
          correlationId: command.correlationId,
          ...(command.ttlSeconds ? { ttlSeconds: command.ttlSeconds } : {}),
        },
        deps,
      );
      return { outcome: result.outcome, reservation: toReservationDto(result.reservation) };
    },
    { persistenceStore: deps.createPersistenceStore(), config: reserveConfig },
  );
  const release = makeIdempotent(
    async (command: ReleaseCommand) => {
      const result = await releaseBooking(
        { bookingId: command.bookingId, reason: 'MANUAL', correlationId: command.correlationId },
        deps,
      );
      return { outcome: result.outcome, reservation: toReservationDto(result.reservation) };
    },
    { persistenceStore: deps.createPersistenceStore(), config: releaseConfig },
  );

  return {
    'POST /api/inventory/reserve': async ({ event, body, correlationId, context }) => {
      await deps.verifyToken(event.headers?.authorization, Scope.Write);
      const request = reserveRequest.parse(body);
      setBookingContext({ bookingId: request.bookingId });
      // Sorted lines, so the same booking asked in another line order is the same payload.
      const items = [...linesOf(request)].sort((a, b) => a.itemId.localeCompare(b.itemId));
      reserveConfig.registerLambdaContext(context as Context);
      try {
        const result = await reserve({
          operation: 'reserve',
          bookingId: request.bookingId,
          items,
          correlationId: request.correlationId ?? correlationId,
          ...(request.ttlSeconds ? { ttlSeconds: request.ttlSeconds } : {}),
        });
        if (result.outcome === 'created') {
          countMetric('ReservationsCreated');
          countMetric(
            'UnitsReserved',
            items.reduce((n, l) => n + l.quantity, 0),
          );
        }
        return jsonResponse(result.outcome === 'created' ? 201 : 200, result.reservation);
      } catch (error) {
        if (error instanceof DomainError) countMetric('ReservationsFailed', 1, error.code);
        throw error;
      }
    },
    'POST /api/inventory/release': async ({ event, body, correlationId, context }) => {
      await deps.verifyToken(event.headers?.authorization, Scope.Write);
      const request = releaseRequest.parse(body);
      setBookingContext({ bookingId: request.bookingId });
      if (request.reason) logger.info('Release requested', { clientReason: request.reason });
      releaseConfig.registerLambdaContext(context as Context);
      const result = await release({
        operation: 'release',
        bookingId: request.bookingId,
        correlationId: request.correlationId ?? correlationId,
      });
      if (result.outcome === 'released') countMetric('ReservationsReleased', 1, 'MANUAL');
      return jsonResponse(200, result.reservation);
    },
    'GET /api/inventory/reservations/{bookingId}': async ({ event }) => {
      await deps.verifyToken(event.headers?.authorization, Scope.Write);
      const bookingId = bookingIdSchema.parse(event.pathParameters?.bookingId);
      setBookingContext({ bookingId });
      return jsonResponse(200, toReservationDto(await getReservation(bookingId, deps)));
    },
  };
}

export function adminRoutes(
  deps: Dependencies & { verifyToken: TokenVerifier },
): Record<string, RouteHandler> {
  return {
    'PUT /api/inventory/{itemId}': async ({ event, body, correlationId }) => {
      await deps.verifyToken(event.headers?.authorization, Scope.Admin);
      const itemId = itemIdSchema.parse(event.pathParameters?.itemId);
      const request = putItemRequest.parse(body);
      const result = await putItem({ itemId, ...request, correlationId }, deps);
      return jsonResponse(result.outcome === 'created' ? 201 : 200, toItem(result.item) satisfies Item);
    },
    'POST /api/inventory/{itemId}/adjustments': async ({ event, body, correlationId }) => {
      await deps.verifyToken(event.headers?.authorization, Scope.Admin);
      const itemId = itemIdSchema.parse(event.pathParameters?.itemId);
      const request = adjustmentRequest.parse(body);
      return jsonResponse(200, toItem(await adjustStock({ itemId, ...request, correlationId }, deps)));
    },
  };
}
