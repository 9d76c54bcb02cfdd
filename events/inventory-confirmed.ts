import * as z from 'zod/mini';
import { BOOKING_ID, detailSchema, LINES_LENGTH, lineSchema } from './envelope.ts';

export { InventoryConfirmed } from './identities.ts';

export const inventoryConfirmedData = z.strictObject({
  bookingId: BOOKING_ID,
  reservationId: z.uuid(),
  items: z.array(lineSchema).check(...LINES_LENGTH),
  confirmedAt: z.iso.datetime(),
  paymentId: z.optional(z.string()),
});
export const inventoryConfirmedDetail = detailSchema(inventoryConfirmedData);
export type InventoryConfirmedData = z.infer<typeof inventoryConfirmedData>;
export type InventoryConfirmedDetail = z.infer<typeof inventoryConfirmedDetail>;
