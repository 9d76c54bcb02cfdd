import { z } from 'zod';
import { BOOKING_ID, BOOKING_SOURCE, detailSchema, type EventType, ITEM_ID, QUANTITY } from './envelope.ts';

/** Consumed: a booking was created and needs its inventory held. */
export const BookingCreated = {
  detailType: 'BookingCreated',
  source: BOOKING_SOURCE,
  schemaVersion: '1',
} as const satisfies EventType;

export const bookingCreatedData = z.looseObject({
  bookingId: BOOKING_ID,
  items: z
    .array(z.looseObject({ itemId: ITEM_ID, quantity: QUANTITY }))
    .min(1)
    .max(25)
    .refine((lines) => new Set(lines.map((l) => l.itemId)).size === lines.length, 'each itemId at most once'),
  userId: z.string().min(1).max(128).optional(),
});
export const bookingCreatedDetail = detailSchema(bookingCreatedData, 'loose');
export type BookingCreatedData = z.infer<typeof bookingCreatedData>;
export type BookingCreatedDetail = z.infer<typeof bookingCreatedDetail>;
