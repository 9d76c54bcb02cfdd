import * as z from 'zod/mini';
import { BOOKING_ID, detailSchema, type EventType, PAYMENT_ID, PAYMENT_SOURCE } from './envelope.ts';

/** Consumed: the booking was paid; confirm its hold. */
export const PaymentSucceeded = {
  detailType: 'PaymentSucceeded',
  source: PAYMENT_SOURCE,
  schemaVersion: '1',
} as const satisfies EventType;

export const paymentSucceededData = z.looseObject({
  bookingId: BOOKING_ID,
  paymentId: z.optional(PAYMENT_ID),
  amount: z.optional(z.number().check(z.minimum(0))),
});
export const paymentSucceededDetail = detailSchema(paymentSucceededData, 'loose');
export type PaymentSucceededData = z.infer<typeof paymentSucceededData>;
export type PaymentSucceededDetail = z.infer<typeof paymentSucceededDetail>;
