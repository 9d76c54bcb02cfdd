import { InvalidTransitionError } from './errors.ts';
import type { QuantityBucket, ReservationStatus } from './model.ts';

/**
 * The reservation state machine. RELEASED and EXPIRED are final for the hold; a late
 * payment may start a new generation of the reservation (see `reserveBooking`).
 */
export const ALLOWED_TRANSITIONS: Readonly<Record<ReservationStatus, readonly ReservationStatus[]>> = {
  RESERVED: ['CONFIRMED', 'RELEASED', 'EXPIRED'],
  CONFIRMED: ['RELEASED'],
  RELEASED: [],
  EXPIRED: [],
};

export function canTransition(from: ReservationStatus, to: ReservationStatus): boolean {
  return ALLOWED_TRANSITIONS[from].includes(to);
}

export function assertTransition(from: ReservationStatus, to: ReservationStatus): void {
  if (!canTransition(from, to)) {
    throw new InvalidTransitionError(`A ${from} reservation cannot become ${to}`);
  }
}

/** Where a transition moves each reserved unit: from one counter to another. */
export function quantityMovement(
  from: ReservationStatus,
  to: ReservationStatus,
): { from: QuantityBucket; to: QuantityBucket } {
  assertTransition(from, to);
  const holding: QuantityBucket = from === 'CONFIRMED' ? 'confirmed' : 'reserved';
  const target: QuantityBucket = to === 'CONFIRMED' ? 'confirmed' : 'available';
  return { from: holding, to: target };
}
