import * as z from 'zod/mini';
import {
  BOOKING_ID,
  detailSchema,
  LINES_LENGTH,
  lineSchema,
  shortfallSchema,
  WAITLIST_PRIORITY,
} from './envelope.ts';

export { InventoryWaitlisted } from './identities.ts';

export const inventoryWaitlistedData = z.strictObject({
  bookingId: BOOKING_ID,
  reservationId: z.uuid(),
  items: z.array(lineSchema).check(...LINES_LENGTH),
  priority: WAITLIST_PRIORITY,
  /** When the booking leaves the waitlist unserved. */
  until: z.iso.datetime(),
  /** The short lines when it joined: what was asked and what was left. */
  shortItems: z.array(shortfallSchema).check(z.minLength(1)),
});
export const inventoryWaitlistedDetail = detailSchema(inventoryWaitlistedData);
export type InventoryWaitlistedData = z.infer<typeof inventoryWaitlistedData>;
export type InventoryWaitlistedDetail = z.infer<typeof inventoryWaitlistedDetail>;
