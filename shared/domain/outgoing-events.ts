import {
  type EventType,
  InventoryAdjusted,
  InventoryConfirmationFailed,
  InventoryConfirmed,
  InventoryReleased,
  InventoryReservationFailed,
  InventoryReserved,
  InventoryWaitlisted,
} from '../../events/identities.ts';
import type { Shortfall } from './errors.ts';
import { eventIdFor } from './event-ids.ts';
import type {
  Answer,
  ConfirmationFailureReason,
  ReleaseReason,
  Reservation,
  ReservationFailureReason,
  ReservationStatus,
} from './model.ts';
import type { Causation, OutgoingEvent, StoredItem } from './ports.ts';

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

export function inventoryReserved(
  r: Reservation,
  causation: Causation,
  occurredAt: string,
  fromWaitlist = false,
): OutgoingEvent {
  return event(InventoryReserved, eventIdFor(r.bookingId, 'RESERVED', r.generation), causation, occurredAt, {
    bookingId: r.bookingId,
    reservationId: r.reservationId,
    status: r.status,
    items: lines(r),
    expiresAt: r.expiresAt,
    ...(fromWaitlist ? { fromWaitlist: true } : {}),
  });
}

/** The booking waits for stock (one id per booking: it joins the waitlist once). */
export function inventoryWaitlisted(
  r: Reservation,
  shortItems: Shortfall[],
  causation: Causation,
  occurredAt: string,
): OutgoingEvent {
  const ticket = r.waitlist;
  if (!ticket) throw new TypeError(`Booking ${r.bookingId} is waitlisted without a ticket`);
  return event(InventoryWaitlisted, eventIdFor(r.bookingId, 'WAITLISTED'), causation, occurredAt, {
    bookingId: r.bookingId,
    reservationId: r.reservationId,
    items: lines(r),
    priority: ticket.priority,
    until: ticket.until,
    shortItems,
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

/**
 * The events a committed booking record owes: its decision's answers, built from the row
 * alone (the change stream's new image). Building them twice gives the same events, ids
 * included.
 */
export function eventsOfRecord(record: Reservation): OutgoingEvent[] {
  const causation = record.causation ?? { correlationId: record.correlationId };
  const at = record.decidedAt ?? record.createdAt;
  return (record.answers ?? []).map((answer) => eventOfAnswer(record, answer, causation, at));
}

function eventOfAnswer(record: Reservation, answer: Answer, causation: Causation, at: string): OutgoingEvent {
  switch (answer.type) {
    case 'InventoryReserved':
      return inventoryReserved({ ...record, status: answer.status }, causation, at, answer.fromWaitlist);
    case 'InventoryWaitlisted':
      return inventoryWaitlisted(record, answer.items, causation, at);
    case 'InventoryConfirmed':
      return inventoryConfirmed(record, causation, at);
    case 'InventoryReleased':
      return inventoryReleased(record, answer.previousStatus, causation, at);
    case 'InventoryReservationFailed':
      return inventoryReservationFailed(
        record.bookingId,
        answer.reason,
        refusalMessage(record.bookingId, answer.reason, answer.items),
        causation,
        at,
        answer.items,
      );
    case 'InventoryConfirmationFailed':
      return inventoryConfirmationFailed(record.bookingId, answer.paymentKey, answer.reason, causation, at, {
        ...(record.items.length > 0 ? { reservationId: record.reservationId } : {}),
        ...(answer.paymentKey.startsWith('event:') ? {} : { paymentId: answer.paymentKey }),
        ...(answer.items ? { items: answer.items } : {}),
      });
    default:
      throw new TypeError(
        `Booking ${record.bookingId} owes an answer of unknown type ${JSON.stringify(answer)}`,
      );
  }
}

function refusalMessage(bookingId: string, reason: ReservationFailureReason, items?: Shortfall[]): string {
  switch (reason) {
    case 'INSUFFICIENT_INVENTORY':
      return `Insufficient inventory for ${(items ?? []).map((s) => `${s.itemId} (requested ${s.requested}, available ${s.available})`).join(', ')}`;
    case 'ITEM_NOT_FOUND':
      return `Item not found for booking ${bookingId}`;
    case 'BOOKING_RELEASED':
      return `Booking ${bookingId} was cancelled or released before it was reserved`;
    case 'WAITLIST_EXPIRED':
      return `Booking ${bookingId} waited on the waitlist until its maxWaitSeconds passed`;
  }
}

/** `InventoryAdjusted` when this item version is the one an administrative change produced. */
export function eventsOfItem(item: StoredItem): OutgoingEvent[] {
  const change = item.adjustment;
  if (!change || change.version !== item.version) return [];
  return [inventoryAdjusted(item, change.delta, change.reason, change.causation, change.at)];
}
