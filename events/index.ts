import { bookingCancelledContract } from './booking-cancelled.ts';
import { bookingCreatedContract } from './booking-created.ts';
import type { EventContract } from './envelope.ts';
import { inventoryAdjustedContract } from './inventory-adjusted.ts';
import { inventoryConfirmationFailedContract } from './inventory-confirmation-failed.ts';
import { inventoryConfirmedContract } from './inventory-confirmed.ts';
import { inventoryReleasedContract } from './inventory-released.ts';
import { inventoryReservationFailedContract } from './inventory-reservation-failed.ts';
import { inventoryReservedContract } from './inventory-reserved.ts';
import { inventoryWaitlistedContract } from './inventory-waitlisted.ts';
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
  InventoryReserved: inventoryReservedContract,
  InventoryReservationFailed: inventoryReservationFailedContract,
  InventoryConfirmed: inventoryConfirmedContract,
  InventoryReleased: inventoryReleasedContract,
  InventoryConfirmationFailed: inventoryConfirmationFailedContract,
  InventoryAdjusted: inventoryAdjustedContract,
  InventoryWaitlisted: inventoryWaitlistedContract,
} as const satisfies Record<string, EventContract>;

export const allEvents: Record<string, EventContract> = { ...consumedEvents, ...publishedEvents };
