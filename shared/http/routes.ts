import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { DomainError } from '../domain/errors.ts';
import {
  canonicalBookingId,
  MAX_RESERVATION_TTL_SECONDS,
  MAX_WAITLIST_SECONDS,
  MIN_RESERVATION_TTL_SECONDS,
  MIN_WAITLIST_SECONDS,
} from '../domain/limits.ts';
import type { Actor, Reservation, WaitlistPosition, WaitlistPriority } from '../domain/model.ts';
import type { Dependencies } from '../domain/ports.ts';
import { getReservation, releaseBooking, reserveBooking } from '../domain/use-cases/index.ts';
import { countMetric, logger, setBookingContext } from '../observability.ts';
import { type Caller, callerOf, type Principal } from './auth.ts';
import { HttpError, jsonResponse } from './errors.ts';
import type { RouteHandler } from './middleware.ts';
import { Scope } from './route-table.ts';
import { bookingIdSchema, correlationIdSchema, linesOf, withLines } from './schemas.ts';

/** The reserve and release bodies (strict: unknown fields are refused). */
export const reserveRequest = withLines({
  bookingId: bookingIdSchema,
  ttlSeconds: z.optional(
    z.int().check(z.minimum(MIN_RESERVATION_TTL_SECONDS), z.maximum(MAX_RESERVATION_TTL_SECONDS)),
  ),
  correlationId: z.optional(correlationIdSchema),
  /** Wait for stock instead of a 409 when it is short; the tier comes from the token. */
  waitlist: z.optional(
    z.strictObject({
      maxWaitSeconds: z.int().check(z.minimum(MIN_WAITLIST_SECONDS), z.maximum(MAX_WAITLIST_SECONDS)),
    }),
  ),
});
export const releaseRequest = z.strictObject({
  bookingId: bookingIdSchema,
  reason: z.optional(z.string().check(z.maxLength(512))),
  correlationId: z.optional(correlationIdSchema),
});

/**
 * The public shape of a reservation: storage fields, the owner and the saga's decision
 * record dropped. A booking refused, or released before it was reserved, reads as a
 * tombstone (RELEASED, nothing held).
 */
export function toReservationDto(
  {
    version: _v,
    generation: _g,
    owner: _o,
    cancelled: _c,
    paymentFailed: _f,
    payments: _p,
    refusal: _r,
    waitlist,
    answers: _a,
    decidedAt: _d,
    causation: _cause,
    ...reservation
  }: Reservation,
  positions: WaitlistPosition[] = [],
) {
  if (reservation.status === 'PENDING' || reservation.status === 'REFUSED') {
    return { ...reservation, status: 'RELEASED' as const, tombstone: true };
  }
  if (reservation.status === 'WAITLISTED' && waitlist) {
    return {
      ...reservation,
      status: reservation.status,
      waitlist: { priority: waitlist.priority, until: waitlist.until, positions },
    };
  }
  return { ...reservation, status: reservation.status };
}

/** The DTO, with a waitlisted booking's positions counted now. */
async function reservationDto(reservation: Reservation, store: Dependencies['store']) {
  const positions = reservation.status === 'WAITLISTED' ? await store.waitlistPositions(reservation) : [];
  return toReservationDto(reservation, positions);
}

/** The route table scoped the route, so the middleware verified a principal. */
function callerFrom(principal: Principal | undefined): Caller {
  if (!principal) throw new HttpError(401, 'UNAUTHORIZED', 'A bearer token is required');
  return callerOf(principal);
}

const actorOf = (caller: Caller): Actor =>
  caller.kind === 'service' ? { kind: 'service' } : { kind: 'owner', sub: caller.sub };

/** Part of the idempotency key: one caller's replay never returns another caller's answer. */
const callerKey = (caller: Caller) => (caller.kind === 'service' ? 'service' : `owner:${caller.sub}`);

export interface ReservationRouteDeps extends Dependencies {
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
  caller: string;
  owner?: { sub: string; clientId?: string };
  items: { itemId: string; quantity: number }[];
  ttlSeconds?: number;
  correlationId: string;
  waitlist?: { maxWaitSeconds: number; priority: WaitlistPriority };
}

interface ReleaseCommand {
  operation: 'release';
  bookingId: string;
  caller: string;
  actor: Actor;
  correlationId: string;
}

/**
 * Reserve and release, each wrapped in Powertools idempotency keyed on operation, bookingId
 * and caller (payload validated on the lines): a retried request gets the first answer, a
 * concurrent duplicate a 409, a different payload for the same booking a 409, and another
 * caller's request never gets this caller's stored answer.
 *
 * Ownership: an owner (a token without a service scope) reserves for itself, reads and
 * releases only its own bookings (someone else's answers 404, as one that does not exist)
 * and never leaves a tombstone; a service acts on any booking.
 */
export function reservationRoutes(deps: ReservationRouteDeps): Record<string, RouteHandler> {
  const reserveConfig = new IdempotencyConfig({
    eventKeyJmesPath: '[operation, bookingId, caller]',
    payloadValidationJmesPath: 'items',
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: 3600,
    // A stored answer is a replay: it must not claim to have created anything, and the
    // route answers it from the booking's current state (see below).
    responseHook: (response) => ({
      ...(response as Record<string, unknown>),
      outcome: 'replayed',
      fromStore: true,
    }),
  });
  const releaseConfig = new IdempotencyConfig({
    eventKeyJmesPath: '[operation, bookingId, caller]',
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: 3600,
  });
  const reserveNow = async (command: ReserveCommand) => {
    const result = await reserveBooking(
      {
        bookingId: command.bookingId,
        items: command.items,
        correlationId: command.correlationId,
        ...(command.ttlSeconds ? { ttlSeconds: command.ttlSeconds } : {}),
        ...(command.owner ? { owner: command.owner } : {}),
        ...(command.waitlist ? { waitlist: command.waitlist } : {}),
      },
      deps,
    );
    return { outcome: result.outcome, reservation: await reservationDto(result.reservation, deps.store) };
  };
  const idempotentReserve = makeIdempotent(reserveNow, {
    persistenceStore: deps.createPersistenceStore(),
    config: reserveConfig,
  });
  /**
   * A stored answer says what was true then; the booking may have moved on (released,
   * expired). The use case replays by construction, so a replay is answered by it, from
   * the booking's current state: never a stale RESERVED for a released booking.
   */
  const reserve = async (command: ReserveCommand) => {
    const result = (await idempotentReserve(command)) as Awaited<ReturnType<typeof reserveNow>> & {
      fromStore?: boolean;
    };
    if (!result.fromStore) return result;
    return { ...(await reserveNow(command)), outcome: 'replayed' as const };
  };
  const release = makeIdempotent(
    async (command: ReleaseCommand) => {
      const result = await releaseBooking(
        {
          bookingId: command.bookingId,
          reason: 'MANUAL',
          correlationId: command.correlationId,
          actor: command.actor,
        },
        deps,
      );
      return { outcome: result.outcome, reservation: toReservationDto(result.reservation) };
    },
    { persistenceStore: deps.createPersistenceStore(), config: releaseConfig },
  );

  return {
    'POST /api/inventory/reserve': async ({ body, correlationId, context, principal }) => {
      const caller = callerFrom(principal);
      const parsed = reserveRequest.parse(body);
      const request = { ...parsed, bookingId: canonicalBookingId(parsed.bookingId) };
      setBookingContext({ bookingId: request.bookingId });
      // Sorted lines, so the same booking asked in another line order is the same payload.
      const items = [...linesOf(request)].sort((a, b) => a.itemId.localeCompare(b.itemId));
      reserveConfig.registerLambdaContext(context as Context);
      try {
        const result = await reserve({
          operation: 'reserve',
          bookingId: request.bookingId,
          caller: callerKey(caller),
          ...(caller.kind === 'owner'
            ? { owner: { sub: caller.sub, ...(caller.clientId ? { clientId: caller.clientId } : {}) } }
            : {}),
          items,
          // The middleware's id: the body's own only when it passed the safe pattern.
          correlationId,
          ...(request.ttlSeconds ? { ttlSeconds: request.ttlSeconds } : {}),
          // The tier comes from the token, never from the body.
          ...(request.waitlist
            ? {
                waitlist: {
                  maxWaitSeconds: request.waitlist.maxWaitSeconds,
                  priority: principal?.scopes.includes(Scope.Premium) ? 'premium' : 'standard',
                },
              }
            : {}),
        });
        if (result.outcome === 'created') {
          countMetric('ReservationsCreated');
          countMetric(
            'UnitsReserved',
            items.reduce((n, l) => n + l.quantity, 0),
          );
        }
        // Waiting for stock: accepted, not yet reserved.
        if (result.reservation.status === 'WAITLISTED') {
          if (result.outcome === 'created') countMetric('ReservationsWaitlisted');
          return jsonResponse(202, result.reservation);
        }
        return jsonResponse(result.outcome === 'created' ? 201 : 200, result.reservation);
      } catch (error) {
        if (error instanceof DomainError) countMetric('ReservationsFailed', 1, error.code);
        throw error;
      }
    },
    'POST /api/inventory/release': async ({ body, correlationId, context, principal }) => {
      const caller = callerFrom(principal);
      const parsed = releaseRequest.parse(body);
      const request = { ...parsed, bookingId: canonicalBookingId(parsed.bookingId) };
      setBookingContext({ bookingId: request.bookingId });
      if (request.reason) logger.info('Release requested', { clientReason: request.reason });
      releaseConfig.registerLambdaContext(context as Context);
      const result = await release({
        operation: 'release',
        bookingId: request.bookingId,
        caller: callerKey(caller),
        actor: actorOf(caller),
        correlationId,
      });
      if (result.outcome === 'released') countMetric('ReservationsReleased', 1, 'MANUAL');
      return jsonResponse(200, result.reservation);
    },
    'GET /api/inventory/reservations/{bookingId}': async ({ event, principal }) => {
      const actor = actorOf(callerFrom(principal));
      const bookingId = canonicalBookingId(bookingIdSchema.parse(event.pathParameters?.bookingId));
      setBookingContext({ bookingId });
      return jsonResponse(
        200,
        await reservationDto(await getReservation(bookingId, deps, actor), deps.store),
      );
    },
  };
}
