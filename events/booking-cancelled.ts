import * as z from 'zod/mini';
import { BOOKING_ID, BOOKING_SOURCE, detailSchema, type EventType } from './envelope.ts';

/** Consumed: the booking was cancelled; release even a confirmed reservation. */
export const BookingCancelled = {
  detailType: 'BookingCancelled',
  source: BOOKING_SOURCE,
  schemaVersion: '1',
} as const satisfies EventType;

export const bookingCancelledData = z.looseObject({
  bookingId: BOOKING_ID,
  reason: z.optional(z.string().check(z.maxLength(512))),
});
export const bookingCancelledDetail = detailSchema(bookingCancelledData, 'loose');
export type BookingCancelledData = z.infer<typeof bookingCancelledData>;
export type BookingCancelledDetail = z.infer<typeof bookingCancelledDetail>;
