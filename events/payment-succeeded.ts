import { z } from 'zod';
import { BOOKING_ID, detailSchema, type EventType, PAYMENT_SOURCE } from './envelope.ts';

/** Consumed: the booking was paid; confirm its hold. */
export const PaymentSucceeded = {
  detailType: 'PaymentSucceeded',
  source: PAYMENT_SOURCE,
  schemaVersion: '1',
} as const satisfies EventType;

export const paymentSucceededData = z.looseObject({
  bookingId: BOOKING_ID,
  paymentId: z.string().min(1).max(128).optional(),
  amount: z.number().nonnegative().optional(),
});
export const paymentSucceededDetail = detailSchema(paymentSucceededData, 'loose');
export type PaymentSucceededData = z.infer<typeof paymentSucceededData>;
export type PaymentSucceededDetail = z.infer<typeof paymentSucceededDetail>;
