import * as z from 'zod/mini';
import { BOOKING_ID, detailSchema, PAYMENT_ID } from './envelope.ts';

export { PaymentSucceeded } from './identities.ts';

export const paymentSucceededData = z.looseObject({
  bookingId: BOOKING_ID,
  paymentId: z.optional(PAYMENT_ID),
  amount: z.optional(z.number().check(z.minimum(0))),
});
export const paymentSucceededDetail = detailSchema(paymentSucceededData, 'loose');
export type PaymentSucceededData = z.infer<typeof paymentSucceededData>;
export type PaymentSucceededDetail = z.infer<typeof paymentSucceededDetail>;
