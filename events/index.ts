import { bookingCancelledContract } from './booking-cancelled.ts';
import { bookingCreatedContract } from './booking-created.ts';
import type { EventContract } from './envelope.ts';
import { InventoryAdjusted, inventoryAdjustedDetail } from './inventory-adjusted.ts';
import {
  InventoryConfirmationFailed,
  inventoryConfirmationFailedDetail,
} from './inventory-confirmation-failed.ts';
import { InventoryConfirmed, inventoryConfirmedDetail } from './inventory-confirmed.ts';
import { InventoryReleased, inventoryReleasedDetail } from './inventory-released.ts';
import {
  InventoryReservationFailed,
  inventoryReservationFailedDetail,
} from './inventory-reservation-failed.ts';
import { InventoryReserved, inventoryReservedDetail } from './inventory-reserved.ts';
import { InventoryWaitlisted, inventoryWaitlistedDetail } from './inventory-waitlisted.ts';
import { paymentFailedContract } from './payment-failed.ts';
import { paymentSucceededContract } from './payment-succeeded.ts';

export * from './booking-cancelled.ts';
export * from './booking-created.ts';
export * from './envelope.ts';
export * from './inventory-adjusted.ts';
export * from './inventory-confirmation-failed.ts';
export * from './inventory-confirmed.ts';
export * from './inventory-released.ts';
export * from './inventory-reservation-failed.ts';
export * from './inventory-reserved.ts';
export * from './inventory-waitlisted.ts';
export * from './payment-failed.ts';
export * from './payment-succeeded.ts';

/** Events other services publish and we consume, by detail-type. */
export const consumedEvents = {
  BookingCreated: bookingCreatedContract,
  PaymentSucceeded: paymentSucceededContract,
  PaymentFailed: paymentFailedContract,
  BookingCancelled: bookingCancelledContract,
} as const satisfies Record<string, EventContract>;

/** Events we publish, by detail-type. */
export const publishedEvents = {
  InventoryReserved: { type: InventoryReserved, detail: inventoryReservedDetail },
  InventoryReservationFailed: { type: InventoryReservationFailed, detail: inventoryReservationFailedDetail },
  InventoryConfirmed: { type: InventoryConfirmed, detail: inventoryConfirmedDetail },
  InventoryReleased: { type: InventoryReleased, detail: inventoryReleasedDetail },
  InventoryConfirmationFailed: {
    type: InventoryConfirmationFailed,
    detail: inventoryConfirmationFailedDetail,
  },
  InventoryAdjusted: { type: InventoryAdjusted, detail: inventoryAdjustedDetail },
  InventoryWaitlisted: { type: InventoryWaitlisted, detail: inventoryWaitlistedDetail },
} as const satisfies Record<string, EventContract>;

export const allEvents: Record<string, EventContract> = { ...consumedEvents, ...publishedEvents };
