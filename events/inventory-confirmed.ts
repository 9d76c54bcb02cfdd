import * as z from 'zod/mini';
import { BOOKING_ID, detailSchema, type EventContract, LINES_LENGTH, lineSchema } from './envelope.ts';
import { InventoryConfirmed } from './identities.ts';

export { InventoryConfirmed };

export const inventoryConfirmedData = z.strictObject({
  bookingId: BOOKING_ID,
  reservationId: z.uuid(),
  items: z.array(lineSchema).check(...LINES_LENGTH),
  confirmedAt: z.iso.datetime(),
  paymentId: z.optional(z.string()),
});
export const inventoryConfirmedDetail = detailSchema(inventoryConfirmedData);
/** What InventoryConfirmed is checked against: the contract tests, its JSON Schema and `npm run events`. */
export const inventoryConfirmedContract = {
  type: InventoryConfirmed,
  detail: inventoryConfirmedDetail,
} as const satisfies EventContract;
export type InventoryConfirmedData = z.infer<typeof inventoryConfirmedData>;
export type InventoryConfirmedDetail = z.infer<typeof inventoryConfirmedDetail>;
