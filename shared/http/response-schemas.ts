import * as z from 'zod/mini';
import { WAITLIST_PRIORITIES } from '../domain/limits.ts';
import { RELEASE_REASONS, RESERVATION_STATUSES } from '../domain/model.ts';
import { bookingIdSchema, itemIdSchema, lineSchema } from './schemas.ts';

/**
 * The HTTP API's answers, for the OpenAPI document (`openapi.ts`) and the tests that hold the
 * functions' answers to it. No function imports this module: answers are built from the
 * domain's types, so building these schemas at a cold start would buy nothing.
 */

const int = z.int();
const timestamp = z.iso.datetime();

export const itemSchema = z.strictObject({
  itemId: itemIdSchema,
  name: z.string(),
  totalQuantity: int,
  availableQuantity: int,
  reservedQuantity: int,
  confirmedQuantity: int,
  /** Units waitlisted bookings ask for (not held; new reserves may take only what is left). */
  waitlistedQuantity: z.optional(int),
  updatedAt: timestamp,
});
export const itemListSchema = z.strictObject({
  items: z.array(itemSchema),
  nextToken: z.optional(z.string()),
});
export const availabilitySchema = z.strictObject({
  available: z.boolean(),
  items: z.array(
    z.strictObject({ itemId: itemIdSchema, requested: int, availableQuantity: int, available: z.boolean() }),
  ),
});
export const reservationSchema = z.strictObject({
  reservationId: z.uuid(),
  bookingId: bookingIdSchema,
  status: z.enum(RESERVATION_STATUSES as [string, ...string[]]),
  items: z.array(lineSchema),
  expiresAt: timestamp,
  createdAt: timestamp,
  confirmedAt: z.optional(timestamp),
  releasedAt: z.optional(timestamp),
  releaseReason: z.optional(z.enum(RELEASE_REASONS as [string, ...string[]])),
  correlationId: z.string(),
  paymentId: z.optional(z.string()),
  tombstone: z.optional(z.boolean()),
  /** While WAITLISTED: its tier, when it stops waiting, its 1-based places on the short items. */
  waitlist: z.optional(
    z.strictObject({
      priority: z.enum(WAITLIST_PRIORITIES),
      until: timestamp,
      positions: z.array(z.strictObject({ itemId: itemIdSchema, position: int })),
    }),
  ),
});
export const errorSchema = z.strictObject({
  error: z.strictObject({ code: z.string(), message: z.string(), details: z.optional(z.unknown()) }),
});
export const healthSchema = z.strictObject({ status: z.literal('ok') });
