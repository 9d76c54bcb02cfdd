import {
  BookingConflictError,
  ConcurrentModificationError,
  InsufficientInventoryError,
  ItemNotFoundError,
} from '../errors.ts';
import { reservationIdFor } from '../event-ids.ts';
import {
  DEFAULT_RESERVATION_TTL_SECONDS,
  type Owner,
  type Reservation,
  type ReservationLine,
  sameLines,
} from '../model.ts';
import {
  inventoryConfirmationFailed,
  inventoryConfirmed,
  inventoryReservationFailed,
  inventoryReserved,
} from '../outgoing-events.ts';
import type { Causation, Dependencies, OutgoingEvent } from '../ports.ts';
import { expireDueReservations } from './expire-reservations.ts';
import { defaultReclaimGate, type ReclaimGate } from './reclaim-gate.ts';
import { isoNow, publishCommitted, validateLines, withDecisionRetries } from './shared.ts';

export interface ReserveBookingInput extends Causation {
  bookingId: string;
  items: ReservationLine[];
  /** Hold length for this reservation; the configured default otherwise. */
  ttlSeconds?: number;
  /** The HTTP caller the reservation belongs to; absent when the saga reserves. */
  owner?: Owner;
}

export interface ReserveBookingResult {
  /** `created`: this call reserved; `replayed`: the same reservation already existed. */
  outcome: 'created' | 'replayed';
  reservation: Reservation;
}

/**
 * Reserves every line of a booking, or none.
 *
 * 1. Validate the lines; read the booking (reservation, tombstone, remembered payment).
 * 2. A tombstone refuses the booking (BOOKING_RELEASED); an existing reservation with the
 *    same lines is a replay; different lines or a finished reservation is a BOOKING_CONFLICT.
 * 3. Otherwise write, in one transaction, the reservation, one conditional stock move per
 *    line (available to reserved, or to confirmed when the payment came first) and the
 *    events in the outbox; publish them.
 * 4. On a shortfall, reclaim expired holds once and retry (skipped for a few seconds after
 *    a reclaim on those items found nothing, see ReclaimGate); then publish
 *    InventoryReservationFailed (and InventoryConfirmationFailed if the booking was paid).
 */
export async function reserveBooking(
  input: ReserveBookingInput,
  deps: Dependencies & { defaultTtlSeconds?: number; reclaimGate?: ReclaimGate },
): Promise<ReserveBookingResult> {
  const lines = validateLines(input.items);
  const gate = deps.reclaimGate ?? defaultReclaimGate;
  const causation: Causation = {
    correlationId: input.correlationId,
    ...(input.causationId ? { causationId: input.causationId } : {}),
  };
  let reclaimed = false;
  for (;;) {
    try {
      return await withDecisionRetries(() => attemptReserve(input.bookingId, lines, input, causation, deps));
    } catch (error) {
      const shortItems =
        error instanceof InsufficientInventoryError ? error.shortfalls.map((s) => s.itemId) : [];
      if (
        error instanceof InsufficientInventoryError &&
        !reclaimed &&
        mayReclaim(error) &&
        gate.allow(shortItems)
      ) {
        reclaimed = true;
        // Availability must not depend on the sweeper's cadence: free expired holds first.
        const freed = await expireDueReservations({ limit: 100, itemIds: lines.map((l) => l.itemId) }, deps);
        gate.record(shortItems, freed.expired);
        if (freed.expired > 0) continue;
      }
      await publishFailure(input.bookingId, error, causation, deps);
      throw error;
    }
  }
}

async function attemptReserve(
  bookingId: string,
  lines: ReservationLine[],
  input: ReserveBookingInput,
  causation: Causation,
  deps: Dependencies & { defaultTtlSeconds?: number },
): Promise<ReserveBookingResult> {
  const { reservation: existing, payment } = await deps.store.getBooking(bookingId);
  if (existing) return replayOf(existing, lines);

  const now = isoNow(deps);
  const ttl = input.ttlSeconds ?? deps.defaultTtlSeconds ?? DEFAULT_RESERVATION_TTL_SECONDS;
  const paid = payment !== undefined;
  const reservation: Reservation = {
    reservationId: reservationIdFor(bookingId),
    bookingId,
    status: paid ? 'CONFIRMED' : 'RESERVED',
    items: lines,
    expiresAt: new Date(Date.parse(now) + ttl * 1000).toISOString(),
    createdAt: now,
    correlationId: input.correlationId,
    version: 1,
    generation: 0,
    ...(paid ? { confirmedAt: now } : {}),
    ...(payment?.paymentId ? { paymentId: payment.paymentId } : {}),
    ...(input.owner ? { owner: input.owner } : {}),
  };
  const events: OutgoingEvent[] = [inventoryReserved(reservation, causation, now)];
  if (paid) events.push(inventoryConfirmed(reservation, causation, now));
  await deps.store.writeReservation({
    expected: { kind: 'absent' },
    next: reservation,
    movements: lines.map(({ itemId, quantity }) => ({
      itemId,
      quantity,
      from: 'available',
      to: paid ? 'confirmed' : 'reserved',
    })),
    movementType: paid ? 'RESERVE_CONFIRMED' : 'RESERVE',
    requireNoPayment: !paid,
    consumePayment: paid,
    events,
    now,
  });
  await publishCommitted(deps, events);
  return { outcome: 'created', reservation };
}

function replayOf(existing: Reservation, lines: ReservationLine[]): ReserveBookingResult {
  if (existing.tombstone) {
    throw new BookingConflictError(`Booking ${existing.bookingId} was released before it was reserved`, {
      details: { bookingId: existing.bookingId, status: existing.status, tombstone: true },
    });
  }
  if (!sameLines(existing.items, lines)) {
    throw new BookingConflictError(`Booking ${existing.bookingId} is already reserved with other lines`, {
      details: { bookingId: existing.bookingId, reservationId: existing.reservationId },
    });
  }
  if (existing.status === 'RELEASED' || existing.status === 'EXPIRED') {
    throw new BookingConflictError(`Booking ${existing.bookingId} is ${existing.status.toLowerCase()}`, {
      details: {
        bookingId: existing.bookingId,
        reservationId: existing.reservationId,
        status: existing.status,
      },
    });
  }
  return { outcome: 'replayed', reservation: existing };
}

/**
 * Reclaiming can only help when every short line could be covered by units that are
 * reserved now (some of which may be expired holds); otherwise skip the sweep.
 */
function mayReclaim(error: InsufficientInventoryError): boolean {
  if (!error.heldByItem) return true;
  return error.shortfalls.every((s) => s.available + (error.heldByItem?.get(s.itemId) ?? 0) >= s.requested);
}

/** Publishes the failure event a refused reservation owes the saga (same id on every retry). */
async function publishFailure(bookingId: string, error: unknown, causation: Causation, deps: Dependencies) {
  const now = isoNow(deps);
  const events: OutgoingEvent[] = [];
  if (error instanceof InsufficientInventoryError) {
    events.push(
      inventoryReservationFailed(
        bookingId,
        'INSUFFICIENT_INVENTORY',
        error.message,
        causation,
        now,
        error.shortfalls,
      ),
    );
    const { payment } = await deps.store.getBooking(bookingId);
    if (payment) {
      events.push(
        inventoryConfirmationFailed(bookingId, 'STOCK_UNAVAILABLE', causation, now, {
          ...(payment.paymentId ? { paymentId: payment.paymentId } : {}),
          items: error.shortfalls,
        }),
      );
    }
  } else if (error instanceof ItemNotFoundError) {
    events.push(inventoryReservationFailed(bookingId, 'ITEM_NOT_FOUND', error.message, causation, now));
  } else if (error instanceof BookingConflictError && isTombstoneConflict(error)) {
    events.push(inventoryReservationFailed(bookingId, 'BOOKING_RELEASED', error.message, causation, now));
  } else if (error instanceof ConcurrentModificationError) {
    return;
  }
  if (events.length > 0) await deps.publisher.publish(events);
}

function isTombstoneConflict(error: BookingConflictError): boolean {
  const details = error.details as { tombstone?: boolean } | undefined;
  return details?.tombstone === true;
}
