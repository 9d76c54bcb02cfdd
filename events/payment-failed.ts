import * as z from 'zod/mini';
import { BOOKING_ID, detailSchema, type EventType, PAYMENT_SOURCE } from './envelope.ts';

/** Consumed: the payment failed; release the hold (compensation). */
export const PaymentFailed = {
  detailType: 'PaymentFailed',
  source: PAYMENT_SOURCE,
  schemaVersion: '1',
} as const satisfies EventType;

export const paymentFailedData = z.looseObject({
  bookingId: BOOKING_ID,
  reason: z.optional(z.string().check(z.maxLength(512))),
});
export const paymentFailedDetail = detailSchema(paymentFailedData, 'loose');
export type PaymentFailedData = z.infer<typeof paymentFailedData>;
export type PaymentFailedDetail = z.infer<typeof paymentFailedDetail>;
