import * as z from 'zod/mini';
import { BOOKING_ID, detailSchema, LINES_LENGTH, lineSchema } from './envelope.ts';

export { InventoryReleased } from './identities.ts';

export const inventoryReleasedData = z.strictObject({
  bookingId: BOOKING_ID,
  reservationId: z.uuid(),
  reason: z.enum(['PAYMENT_FAILED', 'EXPIRED', 'CANCELLED', 'MANUAL']),
  previousStatus: z.enum(['RESERVED', 'CONFIRMED']),
  items: z.array(lineSchema).check(...LINES_LENGTH),
  releasedAt: z.iso.datetime(),
});
export const inventoryReleasedDetail = detailSchema(inventoryReleasedData);
export type InventoryReleasedData = z.infer<typeof inventoryReleasedData>;
export type InventoryReleasedDetail = z.infer<typeof inventoryReleasedDetail>;
