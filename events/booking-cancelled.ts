import * as z from 'zod/mini';
import { BOOKING_ID, detailSchema, type EventContract } from './envelope.ts';
import { BookingCancelled } from './identities.ts';

export { BookingCancelled };

export const bookingCancelledData = z.looseObject({
  bookingId: BOOKING_ID,
  reason: z.optional(z.string().check(z.maxLength(512))),
});
export const bookingCancelledDetail = detailSchema(bookingCancelledData, 'loose');
/** What a consumer of BookingCancelled is built with (its function imports this module alone). */
export const bookingCancelledContract = {
  type: BookingCancelled,
  detail: bookingCancelledDetail,
} as const satisfies EventContract;
export type BookingCancelledData = z.infer<typeof bookingCancelledData>;
export type BookingCancelledDetail = z.infer<typeof bookingCancelledDetail>;
