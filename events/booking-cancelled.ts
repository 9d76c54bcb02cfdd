import * as z from 'zod/mini';
import { BOOKING_ID, detailSchema } from './envelope.ts';

export { BookingCancelled } from './identities.ts';

export const bookingCancelledData = z.looseObject({
  bookingId: BOOKING_ID,
  reason: z.optional(z.string().check(z.maxLength(512))),
});
export const bookingCancelledDetail = detailSchema(bookingCancelledData, 'loose');
export type BookingCancelledData = z.infer<typeof bookingCancelledData>;
export type BookingCancelledDetail = z.infer<typeof bookingCancelledDetail>;
