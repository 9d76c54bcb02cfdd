import * as z from 'zod/mini';
import { BOOKING_ID, detailSchema, type EventContract } from './envelope.ts';
import { PaymentFailed } from './identities.ts';

export { PaymentFailed };

export const paymentFailedData = z.looseObject({
  bookingId: BOOKING_ID,
  reason: z.optional(z.string().check(z.maxLength(512))),
});
export const paymentFailedDetail = detailSchema(paymentFailedData, 'loose');
/** What a consumer of PaymentFailed is built with (its function imports this module alone). */
export const paymentFailedContract = {
  type: PaymentFailed,
  detail: paymentFailedDetail,
} as const satisfies EventContract;
export type PaymentFailedData = z.infer<typeof paymentFailedData>;
export type PaymentFailedDetail = z.infer<typeof paymentFailedDetail>;
