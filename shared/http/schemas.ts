import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { ITEM_ID_PATTERN, MAX_LINE_QUANTITY, MAX_LINES } from '../domain/limits.ts';

/**
 * The building blocks of the HTTP API's schemas (zod/mini: the same validation as classic
 * zod at a fraction of the bundle size). Each route module defines the request schemas of its
 * routes from these, and `response-schemas.ts` the answers; they validate input (strict
 * objects: unknown fields are refused) and generate the OpenAPI document (`openapi.ts`). A
 * zod schema is built when its module loads, so a function builds only its routes' schemas
 * and none of the answers' (about 2 ms of the reservations function's cold start).
 */

// zod/mini ships without messages; English ones make 400 details readable (about 5 KB).
z.config(en());

export const itemIdSchema = z
  .string()
  .check(z.regex(ITEM_ID_PATTERN, `itemId must match ${ITEM_ID_PATTERN.source}`));
/** A booking id: any UUID; the routes key and answer it in canonical lower case. */
export const bookingIdSchema = z.uuid({ error: 'bookingId must be a UUID' });
const quantitySchema = z.int().check(z.minimum(1), z.maximum(MAX_LINE_QUANTITY));
export const correlationIdSchema = z.string().check(z.minLength(1), z.maxLength(128));

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
export function withLines<S extends z.core.$ZodLooseShape>(shape: S) {
  return z.union([
    z.strictObject({ ...shape, items: linesSchema }),
    z.strictObject({ ...shape, itemId: itemIdSchema, quantity: quantitySchema }),
  ]);
}

type Line = z.infer<typeof lineSchema>;

/** Normalises either request form to a list of lines. */
export function linesOf(body: { items: Line[] } | { itemId: string; quantity: number }): Line[] {
  return 'items' in body ? body.items : [{ itemId: body.itemId, quantity: body.quantity }];
}
