import * as z from 'zod/mini';
import {
  BOOKING_ID,
  detailSchema,
  type EventType,
  INVENTORY_SOURCE,
  LINES_LENGTH,
  lineSchema,
} from './envelope.ts';

/** Published: a hold (or a confirmed booking) went back to available stock. */
export const InventoryReleased = {
  detailType: 'InventoryReleased',
  source: INVENTORY_SOURCE,
  schemaVersion: '1',
} as const satisfies EventType;

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
