import type { Shortfall } from './errors.ts';
import { eventIdFor } from './event-ids.ts';
import type { ReleaseReason, Reservation, ReservationStatus } from './model.ts';
import type { Causation, OutgoingEvent } from './ports.ts';

/**
 * Builders of the events we publish. The event id is derived from the subject, the
 * transition and the reservation generation, so building the same event twice (a retry,
 * a duplicate delivery) gives the same id.
 */

export const INVENTORY_SOURCE = 'inventory-service';
export const SCHEMA_VERSION = '1';

export type ReservationFailureReason = 'INSUFFICIENT_INVENTORY' | 'ITEM_NOT_FOUND' | 'BOOKING_RELEASED';
export type ConfirmationFailureReason = 'STOCK_UNAVAILABLE' | 'BOOKING_CANCELLED';

function event<D extends Record<string, unknown>>(
  detailType: string,
  eventId: string,
  causation: Causation,
  occurredAt: string,
  data: D,
): OutgoingEvent<D> {
  return {
    source: INVENTORY_SOURCE,
    detailType,
    detail: {
      metadata: {
        eventId,
        correlationId: causation.correlationId,
        ...(causation.causationId ? { causationId: causation.causationId } : {}),
        occurredAt,
        schemaVersion: SCHEMA_VERSION,
      },
      data,
    },
  };
}

const lines = (r: Reservation) => r.items.map(({ itemId, quantity }) => ({ itemId, quantity }));

export function inventoryReserved(r: Reservation, causation: Causation, occurredAt: string): OutgoingEvent {
  return event(
    'InventoryReserved',
    eventIdFor(r.bookingId, 'RESERVED', r.generation),
    causation,
    occurredAt,
    {
      bookingId: r.bookingId,
      reservationId: r.reservationId,
      status: r.status,
      items: lines(r),
      expiresAt: r.expiresAt,
    },
  );
}

export function inventoryConfirmed(r: Reservation, causation: Causation, occurredAt: string): OutgoingEvent {
  return event(
    'InventoryConfirmed',
    eventIdFor(r.bookingId, 'CONFIRMED', r.generation),
    causation,
    occurredAt,
    {
      bookingId: r.bookingId,
      reservationId: r.reservationId,
      items: lines(r),
      confirmedAt: r.confirmedAt ?? occurredAt,
      ...(r.paymentId ? { paymentId: r.paymentId } : {}),
    },
  );
}

export function inventoryReleased(
  r: Reservation,
  previousStatus: ReservationStatus,
  causation: Causation,
  occurredAt: string,
): OutgoingEvent {
  const reason: ReleaseReason = r.releaseReason ?? 'MANUAL';
  // Expiry and release are different transitions of the same generation.
  const transition = r.status === 'EXPIRED' ? 'EXPIRED' : 'RELEASED';
  return event(
    'InventoryReleased',
    eventIdFor(r.bookingId, transition, r.generation),
    causation,
    occurredAt,
    {
      bookingId: r.bookingId,
      reservationId: r.reservationId,
      reason,
      previousStatus,
      items: lines(r),
      releasedAt: r.releasedAt ?? occurredAt,
    },
  );
}

export function inventoryReservationFailed(
  bookingId: string,
  reason: ReservationFailureReason,
  message: string,
  causation: Causation,
  occurredAt: string,
  shortfalls?: Shortfall[],
): OutgoingEvent {
  return event(
    'InventoryReservationFailed',
    eventIdFor(bookingId, `RESERVATION_FAILED:${reason}`),
    causation,
    occurredAt,
    { bookingId, reason, message, ...(shortfalls ? { items: shortfalls } : {}) },
  );
}

export function inventoryConfirmationFailed(
  bookingId: string,
  reason: ConfirmationFailureReason,
  causation: Causation,
  occurredAt: string,
  extra: { reservationId?: string; paymentId?: string; items?: Shortfall[]; generation?: number } = {},
): OutgoingEvent {
  const { generation = 0, ...rest } = extra;
  return event(
    'InventoryConfirmationFailed',
    eventIdFor(bookingId, `CONFIRMATION_FAILED:${reason}`, generation),
    causation,
    occurredAt,
    { bookingId, reason, ...rest },
  );
}

export function inventoryAdjusted(
  item: { itemId: string; totalQuantity: number; availableQuantity: number; version: number },
  delta: number,
  reason: string,
  causation: Causation,
  occurredAt: string,
): OutgoingEvent {
  return event(
    'InventoryAdjusted',
    eventIdFor(item.itemId, 'ADJUSTED', item.version),
    causation,
    occurredAt,
    {
      itemId: item.itemId,
      delta,
      reason,
      totalQuantity: item.totalQuantity,
      availableQuantity: item.availableQuantity,
      adjustedAt: occurredAt,
    },
  );
}
