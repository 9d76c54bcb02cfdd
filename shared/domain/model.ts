/**
 * The domain model: items with their four quantities and reservations with their lines.
 * Plain data, no I/O. The invariant `total = available + reserved + confirmed` (all >= 0)
 * is enforced by the store's conditional writes and checked here for tests and audits.
 */

/** Item ids as the API accepts them. */
export const ITEM_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Limits on a reservation's lines (25 lines keeps a reserve inside one 100-action transaction). */
export const MAX_LINES = 25;
export const MAX_LINE_QUANTITY = 10_000;
/** Default hold length: 15 minutes. */
export const DEFAULT_RESERVATION_TTL_SECONDS = 900;

export interface Item {
  itemId: string;
  name: string;
  totalQuantity: number;
  availableQuantity: number;
  reservedQuantity: number;
  confirmedQuantity: number;
  updatedAt: string;
}

export type ReservationStatus = 'RESERVED' | 'CONFIRMED' | 'RELEASED' | 'EXPIRED';
export const RESERVATION_STATUSES: readonly ReservationStatus[] = [
  'RESERVED',
  'CONFIRMED',
  'RELEASED',
  'EXPIRED',
];

export type ReleaseReason = 'PAYMENT_FAILED' | 'EXPIRED' | 'CANCELLED' | 'MANUAL';
export const RELEASE_REASONS: readonly ReleaseReason[] = ['PAYMENT_FAILED', 'EXPIRED', 'CANCELLED', 'MANUAL'];

export interface ReservationLine {
  itemId: string;
  quantity: number;
}

export interface Reservation {
  reservationId: string;
  bookingId: string;
  status: ReservationStatus;
  items: ReservationLine[];
  expiresAt: string;
  createdAt: string;
  confirmedAt?: string;
  releasedAt?: string;
  releaseReason?: ReleaseReason;
  correlationId: string;
  /** Optimistic-concurrency version, bumped by every transition. */
  version: number;
  /**
   * How many times the booking was reserved: 0 at first, +1 when a late payment
   * re-reserves an expired or released hold. Part of the derived event ids.
   */
  generation: number;
  /** Set on the record left by a release that found no reservation. */
  tombstone?: boolean;
  paymentId?: string;
  /** Who made the reservation over HTTP (absent for reservations the saga made). */
  owner?: Owner;
}

/** The caller a reservation belongs to: the token's subject and the client it used. */
export interface Owner {
  sub: string;
  clientId?: string;
}

/**
 * Who asks for a change: a service (the saga's consumers, the sweeper, a token with a
 * service or admin scope) may act on any booking; an owner only on its own.
 */
export type Actor = { kind: 'service' } | { kind: 'owner'; sub: string };

/** True when `actor` may see and change `reservation`. */
export function mayAct(actor: Actor, reservation: Reservation): boolean {
  return actor.kind === 'service' || reservation.owner?.sub === actor.sub;
}

/** A payment that succeeded before the reservation existed, kept until it can be applied. */
export interface RememberedPayment {
  bookingId: string;
  paymentId?: string;
  correlationId: string;
  causationId?: string;
  receivedAt: string;
}

/** Which counter a unit leaves and which it joins. `outside` is stock entering or leaving the books. */
export type QuantityBucket = 'available' | 'reserved' | 'confirmed' | 'outside';

/** True when the item's quantities satisfy the invariant. */
export function satisfiesInvariant(item: Item): boolean {
  const { totalQuantity, availableQuantity, reservedQuantity, confirmedQuantity } = item;
  return (
    [totalQuantity, availableQuantity, reservedQuantity, confirmedQuantity].every(
      (n) => Number.isInteger(n) && n >= 0,
    ) && totalQuantity === availableQuantity + reservedQuantity + confirmedQuantity
  );
}

/** Same lines, whatever their order. */
export function sameLines(a: readonly ReservationLine[], b: readonly ReservationLine[]): boolean {
  if (a.length !== b.length) return false;
  const byItem = new Map(a.map((line) => [line.itemId, line.quantity]));
  return b.every((line) => byItem.get(line.itemId) === line.quantity);
}

/** Lines sorted by item id, so transactions touch rows in a stable order. */
export function normaliseLines(lines: readonly ReservationLine[]): ReservationLine[] {
  return [...lines].sort((x, y) => (x.itemId < y.itemId ? -1 : x.itemId > y.itemId ? 1 : 0));
}
