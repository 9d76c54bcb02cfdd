import {
  type EventType,
  InventoryAdjusted,
  InventoryConfirmationFailed,
  InventoryConfirmed,
  InventoryReleased,
  InventoryReservationFailed,
  InventoryReserved,
} from '../../events/index.ts';
import type { Shortfall } from './errors.ts';
import { eventIdFor } from './event-ids.ts';
import type {
  ConfirmationFailureReason,
  ReleaseReason,
  Reservation,
  ReservationFailureReason,
  ReservationStatus,
} from './model.ts';
import type { Causation, OutgoingEvent } from './ports.ts';

export type { ConfirmationFailureReason, ReservationFailureReason } from './model.ts';

/**
 * Builders of the events we publish. Source, detail-type and schema version come from the
 * event's module in `events/` (the one place they are written). The event id is derived
 * from the subject and the transition (and the reservation's generation, or the payment),
 * so building the same event twice (a retry, a duplicate delivery) gives the same id.
 */

function event<D extends Record<string, unknown>>(
  type: EventType,
  eventId: string,
  causation: Causation,
  occurredAt: string,
  data: D,
): OutgoingEvent<D> {
  return {
    source: type.source,
    detailType: type.detailType,
    detail: {
      metadata: {
        eventId,
        correlationId: causation.correlationId,
        ...(causation.causationId ? { causationId: causation.causationId } : {}),
        occurredAt,
        schemaVersion: type.schemaVersion,
      },
      data,
    },
  };
}

const lines = (r: Reservation) => r.items.map(({ itemId, quantity }) => ({ itemId, quantity }));

export function inventoryReserved(r: Reservation, causation: Causation, occurredAt: string): OutgoingEvent {
  return event(InventoryReserved, eventIdFor(r.bookingId, 'RESERVED', r.generation), causation, occurredAt, {
    bookingId: r.bookingId,
    reservationId: r.reservationId,
    status: r.status,
    items: lines(r),
    expiresAt: r.expiresAt,
  });
}

export function inventoryConfirmed(r: Reservation, causation: Causation, occurredAt: string): OutgoingEvent {
  return event(
    InventoryConfirmed,
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
  return event(InventoryReleased, eventIdFor(r.bookingId, transition, r.generation), causation, occurredAt, {
    bookingId: r.bookingId,
    reservationId: r.reservationId,
    reason,
    previousStatus,
    items: lines(r),
    releasedAt: r.releasedAt ?? occurredAt,
  });
}

/** The one answer a booking's refused `BookingCreated` gets (one id per booking). */
export function inventoryReservationFailed(
  bookingId: string,
  reason: ReservationFailureReason,
  message: string,
  causation: Causation,
  occurredAt: string,
  shortfalls?: Shortfall[],
): OutgoingEvent {
  return event(
    InventoryReservationFailed,
    eventIdFor(bookingId, 'RESERVATION_FAILED'),
    causation,
    occurredAt,
    { bookingId, reason, message, ...(shortfalls ? { items: shortfalls } : {}) },
  );
}

/** The one answer a refused payment gets (one id per booking and payment key). */
export function inventoryConfirmationFailed(
  bookingId: string,
  paymentKey: string,
  reason: ConfirmationFailureReason,
  causation: Causation,
  occurredAt: string,
  extra: { reservationId?: string; paymentId?: string; items?: Shortfall[] } = {},
): OutgoingEvent {
  return event(
    InventoryConfirmationFailed,
    eventIdFor(bookingId, `CONFIRMATION_FAILED:${paymentKey}`),
    causation,
    occurredAt,
    { bookingId, reason, ...extra },
  );
}

export function inventoryAdjusted(
  item: { itemId: string; totalQuantity: number; availableQuantity: number; version: number },
  delta: number,
  reason: string,
  causation: Causation,
  occurredAt: string,
): OutgoingEvent {
  return event(InventoryAdjusted, eventIdFor(item.itemId, 'ADJUSTED', item.version), causation, occurredAt, {
    itemId: item.itemId,
    delta,
    reason,
    totalQuantity: item.totalQuantity,
    availableQuantity: item.availableQuantity,
    adjustedAt: occurredAt,
  });
}
