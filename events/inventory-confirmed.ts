import * as z from 'zod/mini';
import {
  BOOKING_ID,
  detailSchema,
  type EventType,
  INVENTORY_SOURCE,
  LINES_LENGTH,
  lineSchema,
} from './envelope.ts';

/** Published: the booking's units moved from reserved to confirmed. */
export const InventoryConfirmed = {
  detailType: 'InventoryConfirmed',
  source: INVENTORY_SOURCE,
  schemaVersion: '1',
} as const satisfies EventType;

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
