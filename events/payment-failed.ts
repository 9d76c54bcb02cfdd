import * as z from 'zod/mini';
import { BOOKING_ID, detailSchema } from './envelope.ts';

export { PaymentFailed } from './identities.ts';

export const paymentFailedData = z.looseObject({
  bookingId: BOOKING_ID,
  reason: z.optional(z.string().check(z.maxLength(512))),
});
export const paymentFailedDetail = detailSchema(paymentFailedData, 'loose');
export type PaymentFailedData = z.infer<typeof paymentFailedData>;
export type PaymentFailedDetail = z.infer<typeof paymentFailedDetail>;
