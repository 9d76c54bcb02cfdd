import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import {
  ITEM_ID_PATTERN,
  MAX_LINE_QUANTITY,
  MAX_LINES,
  MAX_RESERVATION_TTL_SECONDS,
  MAX_WAITLIST_SECONDS,
  MIN_RESERVATION_TTL_SECONDS,
  MIN_WAITLIST_SECONDS,
  WAITLIST_PRIORITIES,
} from '../domain/limits.ts';
import { RELEASE_REASONS, RESERVATION_STATUSES } from '../domain/model.ts';

/**
 * Request and response schemas of the HTTP API (zod/mini: the same validation as classic
 * zod at a fraction of the bundle size). They validate input (strict objects: unknown
 * fields are refused) and generate the OpenAPI document (`shared/http/openapi.ts`).
 */

// zod/mini ships without messages; English ones make 400 details readable (about 5 KB).
z.config(en());

export const itemIdSchema = z
  .string()
  .check(z.regex(ITEM_ID_PATTERN, `itemId must match ${ITEM_ID_PATTERN.source}`));
/** A booking id: any UUID; the routes key and answer it in canonical lower case. */
export const bookingIdSchema = z.uuid({ error: 'bookingId must be a UUID' });
const quantitySchema = z.int().check(z.minimum(1), z.maximum(MAX_LINE_QUANTITY));
const correlationIdSchema = z.string().check(z.minLength(1), z.maxLength(128));

export const lineSchema = z.strictObject({ itemId: itemIdSchema, quantity: quantitySchema });

const linesSchema = z.array(lineSchema).check(
  z.minLength(1),
  z.maxLength(MAX_LINES),
  z.refine(
    (lines) => new Set(lines.map((l) => l.itemId)).size === lines.length,
    'each itemId may appear at most once',
  ),
);

/** `{ items: [...] }` or the single-line shorthand `{ itemId, quantity }`. */
function withLines<S extends z.core.$ZodLooseShape>(shape: S) {
  return z.union([
    z.strictObject({ ...shape, items: linesSchema }),
    z.strictObject({ ...shape, itemId: itemIdSchema, quantity: quantitySchema }),
  ]);
}

export const checkAvailabilityRequest = withLines({});
export const reserveRequest = withLines({
  bookingId: bookingIdSchema,
  ttlSeconds: z.optional(
    z.int().check(z.minimum(MIN_RESERVATION_TTL_SECONDS), z.maximum(MAX_RESERVATION_TTL_SECONDS)),
  ),
  correlationId: z.optional(correlationIdSchema),
  /** Wait for stock instead of a 409 when it is short; the tier comes from the token. */
  waitlist: z.optional(
    z.strictObject({
      maxWaitSeconds: z.int().check(z.minimum(MIN_WAITLIST_SECONDS), z.maximum(MAX_WAITLIST_SECONDS)),
    }),
  ),
});
export const releaseRequest = z.strictObject({
  bookingId: bookingIdSchema,
  reason: z.optional(z.string().check(z.maxLength(512))),
  correlationId: z.optional(correlationIdSchema),
});
export const putItemRequest = z.strictObject({
  name: z.string().check(z.minLength(1), z.maxLength(200)),
  totalQuantity: z.int().check(z.minimum(0), z.maximum(100_000_000)),
});
export const adjustmentRequest = z.strictObject({
  delta: z.int().check(
    z.minimum(-100_000_000),
    z.maximum(100_000_000),
    z.refine((d) => d !== 0, 'delta must not be 0'),
  ),
  reason: z.string().check(z.minLength(1), z.maxLength(256)),
});
export const listQuery = z.strictObject({
  limit: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100)), 20),
  nextToken: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
});

type Line = z.infer<typeof lineSchema>;

/** Normalises either request form to a list of lines. */
export function linesOf(body: { items: Line[] } | { itemId: string; quantity: number }): Line[] {
  return 'items' in body ? body.items : [{ itemId: body.itemId, quantity: body.quantity }];
}

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
