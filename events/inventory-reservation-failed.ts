import * as z from 'zod/mini';
import { BOOKING_ID, detailSchema, shortfallSchema } from './envelope.ts';

export { InventoryReservationFailed } from './identities.ts';

export const inventoryReservationFailedData = z.strictObject({
  bookingId: BOOKING_ID,
  reason: z.enum(['INSUFFICIENT_INVENTORY', 'ITEM_NOT_FOUND', 'BOOKING_RELEASED', 'WAITLIST_EXPIRED']),
  message: z.string(),
  items: z.optional(z.array(shortfallSchema)),
});
export const inventoryReservationFailedDetail = detailSchema(inventoryReservationFailedData);
export type InventoryReservationFailedData = z.infer<typeof inventoryReservationFailedData>;
export type InventoryReservationFailedDetail = z.infer<typeof inventoryReservationFailedDetail>;
