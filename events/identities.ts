/**
 * The identity of every event on the bus (source, detail-type, schema version): what the
 * EventBridge rules match on and what the publisher stamps. Written once here, apart from
 * the events' zod schemas (their own modules re-export them), so a function that only
 * builds or routes events (PublishChanges, ServeWaitlist) does not build every schema.
 */

/** Sources on the bus. */
export const INVENTORY_SOURCE = 'inventory-service';
export const BOOKING_SOURCE = 'booking-service';
export const PAYMENT_SOURCE = 'payment-service';

/** Identity of an event type: what EventBridge rules match on. */
export interface EventType {
  readonly detailType: string;
  readonly source: string;
  readonly schemaVersion: string;
}

/** Consumed: the booking was cancelled; release even a confirmed reservation. */
export const BookingCancelled = {
  detailType: 'BookingCancelled',
  source: BOOKING_SOURCE,
  schemaVersion: '1',
} as const satisfies EventType;

/** Consumed: a booking was created and needs its inventory held. */
export const BookingCreated = {
  detailType: 'BookingCreated',
  source: BOOKING_SOURCE,
  schemaVersion: '1',
} as const satisfies EventType;

/** Published: an administrator created an item or changed its stock. */
export const InventoryAdjusted = {
  detailType: 'InventoryAdjusted',
  source: INVENTORY_SOURCE,
  schemaVersion: '1',
} as const satisfies EventType;

/** Published: a payment succeeded but the booking cannot be confirmed; upstream should refund. */
export const InventoryConfirmationFailed = {
  detailType: 'InventoryConfirmationFailed',
  source: INVENTORY_SOURCE,
  schemaVersion: '1',
} as const satisfies EventType;

/** Published: the booking's units moved from reserved to confirmed. */
export const InventoryConfirmed = {
  detailType: 'InventoryConfirmed',
  source: INVENTORY_SOURCE,
  schemaVersion: '1',
} as const satisfies EventType;

/** Published: a hold (or a confirmed booking) went back to available stock. */
export const InventoryReleased = {
  detailType: 'InventoryReleased',
  source: INVENTORY_SOURCE,
  schemaVersion: '1',
} as const satisfies EventType;

/** Published: nothing was reserved for the booking, and why. */
export const InventoryReservationFailed = {
  detailType: 'InventoryReservationFailed',
  source: INVENTORY_SOURCE,
  schemaVersion: '1',
} as const satisfies EventType;

/** Published: every line of a booking is held (or held and confirmed, when the payment came first). */
export const InventoryReserved = {
  detailType: 'InventoryReserved',
  source: INVENTORY_SOURCE,
  schemaVersion: '1',
} as const satisfies EventType;

/**
 * Published: stock was short and the booking asked to wait; nothing is held. It is followed
 * by exactly one `InventoryReserved` (`fromWaitlist: true`) or `InventoryReservationFailed`
 * (`WAITLIST_EXPIRED`, or `BOOKING_RELEASED` when it was cancelled or released first).
 */
export const InventoryWaitlisted = {
  detailType: 'InventoryWaitlisted',
  source: INVENTORY_SOURCE,
  schemaVersion: '1',
} as const satisfies EventType;

/** Consumed: the payment failed; release the hold (compensation). */
export const PaymentFailed = {
  detailType: 'PaymentFailed',
  source: PAYMENT_SOURCE,
  schemaVersion: '1',
} as const satisfies EventType;

/** Consumed: the booking was paid; confirm its hold. */
export const PaymentSucceeded = {
  detailType: 'PaymentSucceeded',
  source: PAYMENT_SOURCE,
  schemaVersion: '1',
} as const satisfies EventType;
