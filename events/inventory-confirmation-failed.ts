import * as z from 'zod/mini';
import { BOOKING_ID, detailSchema, type EventType, INVENTORY_SOURCE, shortfallSchema } from './envelope.ts';

/** Published: a payment succeeded but the booking cannot be confirmed; upstream should refund. */
export const InventoryConfirmationFailed = {
  detailType: 'InventoryConfirmationFailed',
  source: INVENTORY_SOURCE,
  schemaVersion: '1',
} as const satisfies EventType;

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
