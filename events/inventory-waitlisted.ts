import * as z from 'zod/mini';
import {
  BOOKING_ID,
  detailSchema,
  type EventContract,
  LINES_LENGTH,
  lineSchema,
  shortfallSchema,
  WAITLIST_PRIORITY,
} from './envelope.ts';
import { InventoryWaitlisted } from './identities.ts';

export { InventoryWaitlisted };

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
/** What InventoryWaitlisted is checked against: the contract tests, its JSON Schema and `npm run events`. */
export const inventoryWaitlistedContract = {
  type: InventoryWaitlisted,
  detail: inventoryWaitlistedDetail,
} as const satisfies EventContract;
export type InventoryWaitlistedData = z.infer<typeof inventoryWaitlistedData>;
export type InventoryWaitlistedDetail = z.infer<typeof inventoryWaitlistedDetail>;
