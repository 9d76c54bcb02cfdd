import * as z from 'zod/mini';
import { BOOKING_ID, detailSchema, type EventContract, shortfallSchema } from './envelope.ts';
import { InventoryReservationFailed } from './identities.ts';

export { InventoryReservationFailed };

export const inventoryReservationFailedData = z.strictObject({
  bookingId: BOOKING_ID,
  reason: z.enum(['INSUFFICIENT_INVENTORY', 'ITEM_NOT_FOUND', 'BOOKING_RELEASED', 'WAITLIST_EXPIRED']),
  message: z.string(),
  items: z.optional(z.array(shortfallSchema)),
});
export const inventoryReservationFailedDetail = detailSchema(inventoryReservationFailedData);
/** What InventoryReservationFailed is checked against: the contract tests, its JSON Schema and `npm run events`. */
export const inventoryReservationFailedContract = {
  type: InventoryReservationFailed,
  detail: inventoryReservationFailedDetail,
} as const satisfies EventContract;
export type InventoryReservationFailedData = z.infer<typeof inventoryReservationFailedData>;
export type InventoryReservationFailedDetail = z.infer<typeof inventoryReservationFailedDetail>;
