import * as z from 'zod/mini';
import { BOOKING_ID, detailSchema, type EventContract, LINES_LENGTH, lineSchema } from './envelope.ts';
import { InventoryReserved } from './identities.ts';

export { InventoryReserved };

export const inventoryReservedData = z.strictObject({
  bookingId: BOOKING_ID,
  reservationId: z.uuid(),
  status: z.enum(['RESERVED', 'CONFIRMED']),
  items: z.array(lineSchema).check(...LINES_LENGTH),
  expiresAt: z.iso.datetime(),
  /** True when the booking waited on the waitlist and was served from freed units. */
  fromWaitlist: z.optional(z.literal(true)),
});
export const inventoryReservedDetail = detailSchema(inventoryReservedData);
/** What InventoryReserved is checked against: the contract tests, its JSON Schema and `npm run events`. */
export const inventoryReservedContract = {
  type: InventoryReserved,
  detail: inventoryReservedDetail,
} as const satisfies EventContract;
export type InventoryReservedData = z.infer<typeof inventoryReservedData>;
export type InventoryReservedDetail = z.infer<typeof inventoryReservedDetail>;
