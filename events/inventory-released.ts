import * as z from 'zod/mini';
import { BOOKING_ID, detailSchema, type EventContract, LINES_LENGTH, lineSchema } from './envelope.ts';
import { InventoryReleased } from './identities.ts';

export { InventoryReleased };

export const inventoryReleasedData = z.strictObject({
  bookingId: BOOKING_ID,
  reservationId: z.uuid(),
  reason: z.enum(['PAYMENT_FAILED', 'EXPIRED', 'CANCELLED', 'MANUAL']),
  previousStatus: z.enum(['RESERVED', 'CONFIRMED']),
  items: z.array(lineSchema).check(...LINES_LENGTH),
  releasedAt: z.iso.datetime(),
});
export const inventoryReleasedDetail = detailSchema(inventoryReleasedData);
/** What InventoryReleased is checked against: the contract tests, its JSON Schema and `npm run events`. */
export const inventoryReleasedContract = {
  type: InventoryReleased,
  detail: inventoryReleasedDetail,
} as const satisfies EventContract;
export type InventoryReleasedData = z.infer<typeof inventoryReleasedData>;
export type InventoryReleasedDetail = z.infer<typeof inventoryReleasedDetail>;
