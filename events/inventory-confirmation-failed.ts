import * as z from 'zod/mini';
import { BOOKING_ID, detailSchema, type EventContract, shortfallSchema } from './envelope.ts';
import { InventoryConfirmationFailed } from './identities.ts';

export { InventoryConfirmationFailed };

export const inventoryConfirmationFailedData = z.strictObject({
  bookingId: BOOKING_ID,
  reservationId: z.optional(z.uuid()),
  reason: z.enum(['STOCK_UNAVAILABLE', 'BOOKING_CANCELLED', 'DUPLICATE_PAYMENT']),
  paymentId: z.optional(z.string()),
  items: z.optional(z.array(shortfallSchema)),
});
export const inventoryConfirmationFailedDetail = detailSchema(inventoryConfirmationFailedData);
/** What InventoryConfirmationFailed is checked against: the contract tests, its JSON Schema and `npm run events`. */
export const inventoryConfirmationFailedContract = {
  type: InventoryConfirmationFailed,
  detail: inventoryConfirmationFailedDetail,
} as const satisfies EventContract;
export type InventoryConfirmationFailedData = z.infer<typeof inventoryConfirmationFailedData>;
export type InventoryConfirmationFailedDetail = z.infer<typeof inventoryConfirmationFailedDetail>;
