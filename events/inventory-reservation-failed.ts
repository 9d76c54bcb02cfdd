import * as z from 'zod/mini';
import { BOOKING_ID, detailSchema, type EventType, INVENTORY_SOURCE, shortfallSchema } from './envelope.ts';

/** Published: nothing was reserved for the booking, and why. */
export const InventoryReservationFailed = {
  detailType: 'InventoryReservationFailed',
  source: INVENTORY_SOURCE,
  schemaVersion: '1',
} as const satisfies EventType;

export const inventoryReservationFailedData = z.strictObject({
  bookingId: BOOKING_ID,
  reason: z.enum(['INSUFFICIENT_INVENTORY', 'ITEM_NOT_FOUND', 'BOOKING_RELEASED', 'WAITLIST_EXPIRED']),
  message: z.string(),
  items: z.optional(z.array(shortfallSchema)),
});
export const inventoryReservationFailedDetail = detailSchema(inventoryReservationFailedData);
export type InventoryReservationFailedData = z.infer<typeof inventoryReservationFailedData>;
export type InventoryReservationFailedDetail = z.infer<typeof inventoryReservationFailedDetail>;
