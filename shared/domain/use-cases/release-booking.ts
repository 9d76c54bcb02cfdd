import { reservationIdFor } from '../event-ids.ts';
import { ReservationNotFoundError } from '../errors.ts';
import { type Actor, mayAct, type ReleaseReason, type Reservation } from '../model.ts';
import { inventoryReleased } from '../outgoing-events.ts';
import type { Causation, Dependencies } from '../ports.ts';
import { quantityMovement } from '../reservation-rules.ts';
import { isoNow, publishCommitted, withDecisionRetries } from './shared.ts';

export interface ReleaseBookingInput extends Causation {
  bookingId: string;
  reason: ReleaseReason;
  /**
   * Who releases. An owner may release only its own reservation and never leaves a
   * tombstone (someone else's booking or none at all: RESERVATION_NOT_FOUND, nothing
   * written). Absent means a service (the saga, the sweeper).
   */
  actor?: Actor;
}

export type ReleaseBookingOutcome = 'released' | 'already-released' | 'tombstoned' | 'kept-confirmed';

export interface ReleaseBookingResult {
  outcome: ReleaseBookingOutcome;
  reservation: Reservation;
}

/**
 * Releases a booking's hold: the saga's compensation.
 *
 * 1. Read the booking.
 * 2. No reservation: leave a tombstone so a late BookingCreated reserves nothing.
 * 3. RESERVED: units go back from reserved to available. CONFIRMED: only a cancellation or
 *    a manual release returns confirmed units; a late PaymentFailed leaves a paid booking alone.
 * 4. RELEASED or EXPIRED: nothing to do (duplicate).
 * 5. Write reservation, stock moves, ledger and outbox in one transaction; publish
 *    InventoryReleased.
 */
export async function releaseBooking(
  input: ReleaseBookingInput,
  deps: Dependencies,
): Promise<ReleaseBookingResult> {
  const causation: Causation = {
    correlationId: input.correlationId,
    ...(input.causationId ? { causationId: input.causationId } : {}),
  };
  return withDecisionRetries(async () => {
    const { reservation } = await deps.store.getBooking(input.bookingId);
    const now = isoNow(deps);
    const actor = input.actor ?? { kind: 'service' };
    // The owner never changes after creation and the write below is conditioned on the
    // version read here, so this check cannot be raced.
    if (actor.kind === 'owner' && (!reservation || !mayAct(actor, reservation))) {
      throw new ReservationNotFoundError(input.bookingId);
    }
    if (!reservation) {
      const tombstone: Reservation = {
        reservationId: reservationIdFor(input.bookingId),
        bookingId: input.bookingId,
        status: 'RELEASED',
        items: [],
        expiresAt: now,
        createdAt: now,
        releasedAt: now,
        releaseReason: input.reason,
        correlationId: input.correlationId,
        version: 1,
        generation: 0,
        tombstone: true,
      };
      await deps.store.writeReservation({
        expected: { kind: 'absent' },
        next: tombstone,
        movements: [],
        movementType: 'TOMBSTONE',
        events: [],
        now,
      });
      return { outcome: 'tombstoned', reservation: tombstone };
    }
    if (reservation.status === 'RELEASED' || reservation.status === 'EXPIRED') {
      return { outcome: 'already-released', reservation };
    }
    if (reservation.status === 'CONFIRMED' && input.reason === 'PAYMENT_FAILED') {
      deps.log?.warn('PaymentFailed for a confirmed booking; keeping the confirmation', {
        bookingId: input.bookingId,
      });
      return { outcome: 'kept-confirmed', reservation };
    }
    const next: Reservation = {
      ...reservation,
      status: 'RELEASED',
      releasedAt: now,
      releaseReason: input.reason,
      version: reservation.version + 1,
    };
    const events = [inventoryReleased(next, reservation.status, causation, now)];
    const movement = quantityMovement(reservation.status, 'RELEASED');
    await deps.store.writeReservation({
      expected: { kind: 'state', status: reservation.status, version: reservation.version },
      next,
      movements: next.items.map(({ itemId, quantity }) => ({ itemId, quantity, ...movement })),
      movementType: 'RELEASE',
      events,
      now,
    });
    await publishCommitted(deps, events);
    return { outcome: 'released', reservation: next };
  });
}
