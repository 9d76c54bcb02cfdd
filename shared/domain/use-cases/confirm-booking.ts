import { InsufficientInventoryError } from '../errors.ts';
import type { Reservation } from '../model.ts';
import { inventoryConfirmationFailed, inventoryConfirmed, inventoryReserved } from '../outgoing-events.ts';
import type { Causation, Dependencies, OutgoingEvent } from '../ports.ts';
import { quantityMovement } from '../reservation-rules.ts';
import { isoNow, publishCommitted, withDecisionRetries } from './shared.ts';

export interface ConfirmBookingInput extends Causation {
  bookingId: string;
  paymentId?: string;
}

export type ConfirmBookingOutcome =
  | 'confirmed'
  | 'already-confirmed'
  | 'remembered'
  | 're-reserved'
  | 'confirmation-failed';

export interface ConfirmBookingResult {
  outcome: ConfirmBookingOutcome;
  reservation?: Reservation;
}

/**
 * Applies a successful payment to a booking, whatever order the events came in.
 *
 * 1. Read the booking.
 * 2. No reservation yet: remember the payment; the reserve that follows confirms at once.
 * 3. RESERVED: move reserved units to confirmed. CONFIRMED: nothing to do (a duplicate).
 * 4. EXPIRED, or RELEASED because payment failed or the hold expired: the customer has
 *    paid, so reserve again (new generation) straight into confirmed if stock allows.
 * 5. Otherwise (cancelled, released by hand, tombstone, or stock gone) publish
 *    InventoryConfirmationFailed so upstream can refund.
 */
export async function confirmBooking(
  input: ConfirmBookingInput,
  deps: Dependencies,
): Promise<ConfirmBookingResult> {
  const causation: Causation = {
    correlationId: input.correlationId,
    ...(input.causationId ? { causationId: input.causationId } : {}),
  };
  return withDecisionRetries(async () => {
    const { reservation, payment } = await deps.store.getBooking(input.bookingId);
    const now = isoNow(deps);
    if (!reservation) {
      if (!payment) {
        await deps.store.rememberPayment({
          bookingId: input.bookingId,
          correlationId: input.correlationId,
          receivedAt: now,
          ...(input.paymentId ? { paymentId: input.paymentId } : {}),
          ...(input.causationId ? { causationId: input.causationId } : {}),
        });
      }
      return { outcome: 'remembered' };
    }
    if (reservation.status === 'CONFIRMED') return { outcome: 'already-confirmed', reservation };
    if (reservation.status === 'RESERVED') {
      const next: Reservation = {
        ...reservation,
        status: 'CONFIRMED',
        confirmedAt: now,
        version: reservation.version + 1,
        ...(input.paymentId ? { paymentId: input.paymentId } : {}),
      };
      const events = [inventoryConfirmed(next, causation, now)];
      const movement = quantityMovement('RESERVED', 'CONFIRMED');
      await deps.store.writeReservation({
        expected: { kind: 'state', status: reservation.status, version: reservation.version },
        next,
        movements: next.items.map(({ itemId, quantity }) => ({ itemId, quantity, ...movement })),
        movementType: 'CONFIRM',
        events,
        now,
      });
      await publishCommitted(deps, events);
      return { outcome: 'confirmed', reservation: next };
    }
    const reReservable =
      !reservation.tombstone &&
      (reservation.status === 'EXPIRED' ||
        (reservation.status === 'RELEASED' &&
          (reservation.releaseReason === 'PAYMENT_FAILED' || reservation.releaseReason === 'EXPIRED')));
    if (!reReservable) {
      await deps.publisher.publish([
        inventoryConfirmationFailed(input.bookingId, 'BOOKING_CANCELLED', causation, now, {
          ...(reservation.tombstone ? {} : { reservationId: reservation.reservationId }),
          ...(input.paymentId ? { paymentId: input.paymentId } : {}),
          generation: reservation.generation,
        }),
      ]);
      return { outcome: 'confirmation-failed', reservation };
    }
    return reReserveConfirmed(reservation, input, causation, now, deps);
  });
}

async function reReserveConfirmed(
  previous: Reservation,
  input: ConfirmBookingInput,
  causation: Causation,
  now: string,
  deps: Dependencies,
): Promise<ConfirmBookingResult> {
  const { releasedAt: _r, releaseReason: _why, ...rest } = previous;
  const next: Reservation = {
    ...rest,
    status: 'CONFIRMED',
    confirmedAt: now,
    version: previous.version + 1,
    generation: previous.generation + 1,
    ...(input.paymentId ? { paymentId: input.paymentId } : {}),
  };
  const events: OutgoingEvent[] = [
    inventoryReserved(next, causation, now),
    inventoryConfirmed(next, causation, now),
  ];
  try {
    await deps.store.writeReservation({
      expected: { kind: 'state', status: previous.status, version: previous.version },
      next,
      movements: next.items.map(({ itemId, quantity }) => ({
        itemId,
        quantity,
        from: 'available',
        to: 'confirmed',
      })),
      movementType: 'RESERVE_CONFIRMED',
      events,
      now,
    });
  } catch (error) {
    if (!(error instanceof InsufficientInventoryError)) throw error;
    await deps.publisher.publish([
      inventoryConfirmationFailed(input.bookingId, 'STOCK_UNAVAILABLE', causation, now, {
        reservationId: previous.reservationId,
        ...(input.paymentId ? { paymentId: input.paymentId } : {}),
        items: error.shortfalls,
        generation: previous.generation,
      }),
    ]);
    return { outcome: 'confirmation-failed', reservation: previous };
  }
  await publishCommitted(deps, events);
  return { outcome: 're-reserved', reservation: next };
}
