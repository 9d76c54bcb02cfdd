/**
 * The domain model: items with their four quantities and reservations with their lines.
 * Plain data, no I/O. The invariant `total = available + reserved + confirmed` (all >= 0)
 * is enforced by the store's conditional writes and checked here for tests and audits.
 */

export {
  DEFAULT_RESERVATION_TTL_SECONDS,
  ITEM_ID_PATTERN,
  MAX_LINE_QUANTITY,
  MAX_LINES,
  WAITLIST_PRIORITIES,
} from './limits.ts';

export interface Item {
  itemId: string;
  name: string;
  totalQuantity: number;
  availableQuantity: number;
  reservedQuantity: number;
  confirmedQuantity: number;
  /**
   * Units waitlisted bookings ask of this item. Not held and not part of the invariant:
   * `availableQuantity - waitlistedQuantity` is what a new reserve may take (nobody jumps
   * the queue), and freed units go to the waitlist first.
   */
  waitlistedQuantity?: number;
  updatedAt: string;
}

/** The states of a reservation a client can see. */
export type ReservationStatus = 'WAITLISTED' | 'RESERVED' | 'CONFIRMED' | 'RELEASED' | 'EXPIRED';
export const RESERVATION_STATUSES: readonly ReservationStatus[] = [
  'WAITLISTED',
  'RESERVED',
  'CONFIRMED',
  'RELEASED',
  'EXPIRED',
];
/**
 * Every state of a booking's record. Besides the visible ones: `PENDING` (the saga heard
 * of the booking, e.g. a payment or a cancellation, before `BookingCreated`; nothing is
 * held) and `REFUSED` (`BookingCreated` was answered with `InventoryReservationFailed`).
 */
export type BookingStatus = ReservationStatus | 'PENDING' | 'REFUSED';

/** Why a booking's reservation was refused (the `reason` of `InventoryReservationFailed`). */
export type ReservationFailureReason =
  | 'INSUFFICIENT_INVENTORY'
  | 'ITEM_NOT_FOUND'
  | 'BOOKING_RELEASED'
  | 'WAITLIST_EXPIRED';

import type { WaitlistPriority } from './limits.ts';

export type { WaitlistPriority } from './limits.ts';

/** A booking's place on the waitlist: asked for with `BookingCreated`, kept once served or gone. */
export interface WaitlistTicket {
  priority: WaitlistPriority;
  /** When it leaves the waitlist unserved (`maxWaitSeconds` after it joined). */
  until: string;
  /** When it joined: its place in its tier. */
  since: string;
  /** The hold it gets when served (the `ttlSeconds` its `BookingCreated` asked for). */
  holdSeconds: number;
  /** The items that were short when it joined: its `positions` are shown for these. */
  shortItemIds: string[];
}

/** A booking's place in one item's waitlist (1-based), counted when asked. */
export interface WaitlistPosition {
  itemId: string;
  position: number;
}
/** Why a payment could not be applied (the `reason` of `InventoryConfirmationFailed`). */
export type ConfirmationFailureReason = 'STOCK_UNAVAILABLE' | 'BOOKING_CANCELLED' | 'DUPLICATE_PAYMENT';
/** A line that could not be served: what was asked and what was left. */
export interface ShortLine {
  itemId: string;
  requested: number;
  available: number;
}

/** One answer a decision owes the saga; the event is built from it and the booking's record. */
export type Answer =
  | { type: 'InventoryReserved'; status: 'RESERVED' | 'CONFIRMED'; fromWaitlist?: true }
  | { type: 'InventoryWaitlisted'; items: ShortLine[] }
  | { type: 'InventoryConfirmed' }
  | { type: 'InventoryReleased'; previousStatus: ReservationStatus }
  | { type: 'InventoryReservationFailed'; reason: ReservationFailureReason; items?: ShortLine[] }
  | {
      type: 'InventoryConfirmationFailed';
      paymentKey: string;
      reason: ConfirmationFailureReason;
      items?: ShortLine[];
    };

/**
 * The recorded answer to one payment: `PENDING` while it waits for `BookingCreated`,
 * `CONFIRMED` when it confirmed the booking, or the reason it was refused.
 */
export type PaymentDecision = 'PENDING' | 'CONFIRMED' | ConfirmationFailureReason;

export type ReleaseReason = 'PAYMENT_FAILED' | 'EXPIRED' | 'CANCELLED' | 'MANUAL';
export const RELEASE_REASONS: readonly ReleaseReason[] = ['PAYMENT_FAILED', 'EXPIRED', 'CANCELLED', 'MANUAL'];

export interface ReservationLine {
  itemId: string;
  quantity: number;
}

/**
 * A booking's record: its reservation and every saga decision taken for it. One row,
 * written by every decision in the same transaction as the decision's stock movements
 * and events, so a redelivered event finds its answer here instead of deciding again.
 */
export interface Reservation {
  reservationId: string;
  bookingId: string;
  status: BookingStatus;
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
  /** The payment that confirmed the current generation. */
  paymentId?: string;
  /** BookingCancelled (or a release by hand) was applied: absorbing, nothing is held again. */
  cancelled?: boolean;
  /** A PaymentFailed arrived before BookingCreated (and no success yet). */
  paymentFailed?: boolean;
  /** Every PaymentSucceeded seen, by payment key (`paymentKeyOf`), with its recorded answer. */
  payments?: Record<string, PaymentDecision>;
  /** Why BookingCreated was refused, when `status` is REFUSED. */
  refusal?: ReservationFailureReason;
  /**
   * The answers of the decision that wrote this version (empty when it owes none), with
   * when it was taken and what caused it. The table's change stream carries them: the
   * publisher builds the events from this row alone, so every published event comes from
   * a committed row and a re-read of the stream rebuilds the same ids.
   */
  answers?: Answer[];
  decidedAt?: string;
  causation?: { correlationId: string; causationId?: string };
  /** Who made the reservation over HTTP (absent for reservations the saga made). */
  owner?: Owner;
  /** The booking's waitlist ticket, when it waited (kept after it was served or left). */
  waitlist?: WaitlistTicket;
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

/**
 * The key a payment's decision is recorded under: its paymentId, or, for a producer that
 * sends none, the id of the event that carried it (a redelivery repeats the event id).
 */
export function paymentKeyOf(payment: { paymentId?: string; eventId?: string }): string {
  if (payment.paymentId) return payment.paymentId;
  return `event:${payment.eventId ?? 'unknown'}`;
}

/** True when the booking holds units (reserved or confirmed). */
export function holdsUnits(status: BookingStatus): boolean {
  return status === 'RESERVED' || status === 'CONFIRMED';
}

/** True when `actor` may see and change `reservation`. */
export function mayAct(actor: Actor, reservation: Reservation): boolean {
  return actor.kind === 'service' || reservation.owner?.sub === actor.sub;
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
