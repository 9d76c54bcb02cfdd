import * as z from 'zod/mini';
import { BOOKING_ID, detailSchema, type EventContract, PAYMENT_ID } from './envelope.ts';
import { PaymentSucceeded } from './identities.ts';

export { PaymentSucceeded };

export const paymentSucceededData = z.looseObject({
  bookingId: BOOKING_ID,
  paymentId: z.optional(PAYMENT_ID),
  amount: z.optional(z.number().check(z.minimum(0))),
});
export const paymentSucceededDetail = detailSchema(paymentSucceededData, 'loose');
/** What a consumer of PaymentSucceeded is built with (its function imports this module alone). */
export const paymentSucceededContract = {
  type: PaymentSucceeded,
  detail: paymentSucceededDetail,
} as const satisfies EventContract;
export type PaymentSucceededData = z.infer<typeof paymentSucceededData>;
export type PaymentSucceededDetail = z.infer<typeof paymentSucceededDetail>;
