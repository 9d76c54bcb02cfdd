import * as z from 'zod/mini';
import { BOOKING_ID, detailSchema, shortfallSchema } from './envelope.ts';

export { InventoryConfirmationFailed } from './identities.ts';

export const inventoryConfirmationFailedData = z.strictObject({
  bookingId: BOOKING_ID,
  reservationId: z.optional(z.uuid()),
  reason: z.enum(['STOCK_UNAVAILABLE', 'BOOKING_CANCELLED', 'DUPLICATE_PAYMENT']),
  paymentId: z.optional(z.string()),
  items: z.optional(z.array(shortfallSchema)),
});
export const inventoryConfirmationFailedDetail = detailSchema(inventoryConfirmationFailedData);
export type InventoryConfirmationFailedData = z.infer<typeof inventoryConfirmationFailedData>;
export type InventoryConfirmationFailedDetail = z.infer<typeof inventoryConfirmationFailedDetail>;
