import { z } from 'zod';
import {
  ITEM_ID_PATTERN,
  MAX_LINE_QUANTITY,
  MAX_LINES,
  RELEASE_REASONS,
  RESERVATION_STATUSES,
} from '../domain/model.ts';

/**
 * Request and response schemas of the HTTP API. They validate input (strict objects:
 * unknown fields are refused) and generate the OpenAPI document (`shared/http/openapi.ts`).
 */

export const itemIdSchema = z
  .string()
  .regex(ITEM_ID_PATTERN, 'itemId must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$');
export const bookingIdSchema = z.uuid({ error: 'bookingId must be a UUID' });
const quantitySchema = z.number().int().min(1).max(MAX_LINE_QUANTITY);
const correlationIdSchema = z.string().min(1).max(128);

export const lineSchema = z.strictObject({ itemId: itemIdSchema, quantity: quantitySchema });

const linesSchema = z
  .array(lineSchema)
  .min(1)
  .max(MAX_LINES)
  .refine((lines) => new Set(lines.map((l) => l.itemId)).size === lines.length, {
    error: 'each itemId may appear at most once',
  });

/** `{ items: [...] }` or the single-line shorthand `{ itemId, quantity }`. */
function withLines<S extends z.ZodRawShape>(shape: S) {
  return z.union([
    z.strictObject({ ...shape, items: linesSchema }),
    z.strictObject({ ...shape, itemId: itemIdSchema, quantity: quantitySchema }),
  ]);
}

export const checkAvailabilityRequest = withLines({});
export const reserveRequest = withLines({
  bookingId: bookingIdSchema,
  ttlSeconds: z.number().int().min(1).max(3600).optional(),
  correlationId: correlationIdSchema.optional(),
});
export const releaseRequest = z.strictObject({
  bookingId: bookingIdSchema,
  reason: z.string().max(512).optional(),
  correlationId: correlationIdSchema.optional(),
});
export const putItemRequest = z.strictObject({
  name: z.string().min(1).max(200),
  totalQuantity: z.number().int().min(0).max(100_000_000),
});
export const adjustmentRequest = z.strictObject({
  delta: z
    .number()
    .int()
    .min(-100_000_000)
    .max(100_000_000)
    .refine((d) => d !== 0, { error: 'delta must not be 0' }),
  reason: z.string().min(1).max(256),
});
export const listQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  nextToken: z.string().min(1).max(2048).optional(),
});

/** Normalises either request form to a list of lines. */
export function linesOf(
  body: { items: z.infer<typeof lineSchema>[] } | { itemId: string; quantity: number },
) {
  return 'items' in body ? body.items : [{ itemId: body.itemId, quantity: body.quantity }];
}

export const itemSchema = z.strictObject({
  itemId: itemIdSchema,
  name: z.string(),
  totalQuantity: z.number().int(),
  availableQuantity: z.number().int(),
  reservedQuantity: z.number().int(),
  confirmedQuantity: z.number().int(),
  updatedAt: z.iso.datetime(),
});
export const itemListSchema = z.strictObject({
  items: z.array(itemSchema),
  nextToken: z.string().optional(),
});
export const availabilitySchema = z.strictObject({
  available: z.boolean(),
  items: z.array(
    z.strictObject({
      itemId: itemIdSchema,
      requested: z.number().int(),
      availableQuantity: z.number().int(),
      available: z.boolean(),
    }),
  ),
});
export const reservationSchema = z.strictObject({
  reservationId: z.uuid(),
  bookingId: bookingIdSchema,
  status: z.enum(RESERVATION_STATUSES as [string, ...string[]]),
  items: z.array(lineSchema),
  expiresAt: z.iso.datetime(),
  createdAt: z.iso.datetime(),
  confirmedAt: z.iso.datetime().optional(),
  releasedAt: z.iso.datetime().optional(),
  releaseReason: z.enum(RELEASE_REASONS as [string, ...string[]]).optional(),
  correlationId: z.string(),
  paymentId: z.string().optional(),
  tombstone: z.boolean().optional(),
});
export const errorSchema = z.strictObject({
  error: z.strictObject({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});
export const healthSchema = z.strictObject({ status: z.literal('ok') });
