import * as z from 'zod/mini';
import {
  BOOKING_ID,
  detailSchema,
  type EventContract,
  ITEM_ID,
  LINES_LENGTH,
  QUANTITY,
  WAITLIST_PRIORITY,
  waitlistRequestSchema,
} from './envelope.ts';
import { BookingCreated } from './identities.ts';

export { BookingCreated };

export const bookingCreatedData = z.looseObject({
  bookingId: BOOKING_ID,
  items: z.array(z.looseObject({ itemId: ITEM_ID, quantity: QUANTITY })).check(
    ...LINES_LENGTH,
    z.refine(
      (lines) => new Set(lines.map((l) => l.itemId)).size === lines.length,
      'each itemId at most once',
    ),
  ),
  userId: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  /** Wait for stock when it is short (schema 1, optional: older producers send none). */
  waitlist: z.optional(waitlistRequestSchema),
  /** The booking's tier on the waitlist; only the booking service (this event's source) sets it. */
  priority: z.optional(WAITLIST_PRIORITY),
});
export const bookingCreatedDetail = detailSchema(bookingCreatedData, 'loose');
/** What a consumer of BookingCreated is built with (its function imports this module alone). */
export const bookingCreatedContract = {
  type: BookingCreated,
  detail: bookingCreatedDetail,
} as const satisfies EventContract;
export type BookingCreatedData = z.infer<typeof bookingCreatedData>;
export type BookingCreatedDetail = z.infer<typeof bookingCreatedDetail>;
