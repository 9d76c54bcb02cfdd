import * as z from 'zod/mini';

/**
 * Shared pieces of every event contract. Schemas use zod's tree-shakeable `zod/mini` API:
 * the classic API adds about 440 KB to every Lambda bundle, mini about 12 KB.
 */

/** Sources on the bus. */
export const INVENTORY_SOURCE = 'inventory-service';
export const BOOKING_SOURCE = 'booking-service';
export const PAYMENT_SOURCE = 'payment-service';

export const ITEM_ID = z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/));
export const BOOKING_ID = z.uuid();
export const QUANTITY = z.int().check(z.minimum(1), z.maximum(10_000));
export const COUNT = z.int().check(z.minimum(0));

/** A reservation line. */
export const lineSchema = z.strictObject({ itemId: ITEM_ID, quantity: QUANTITY });
/** What a short line asked for and found. */
export const shortfallSchema = z.strictObject({ itemId: ITEM_ID, requested: QUANTITY, available: COUNT });

const metadataShape = {
  eventId: z.uuid(),
  correlationId: z.string().check(z.minLength(1), z.maxLength(128)),
  causationId: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  occurredAt: z.iso.datetime(),
  schemaVersion: z.string().check(z.minLength(1)),
};

/** Metadata every event detail carries. */
export const metadataSchema = z.strictObject(metadataShape);
export type EventMetadata = z.infer<typeof metadataSchema>;

/**
 * The detail of one of our events: `{ metadata, data }`. Consumed events are parsed
 * loosely (a producer may add fields without breaking us); published ones strictly.
 */
export function detailSchema<D extends z.ZodMiniType>(data: D, mode: 'strict' | 'loose' = 'strict') {
  return mode === 'strict'
    ? z.strictObject({ metadata: metadataSchema, data })
    : z.looseObject({ metadata: z.looseObject(metadataShape), data });
}

/**
 * A full EventBridge event (as it arrives in an SQS body) whose detail is `detail`: the
 * fields of Powertools parser's `EventBridgeSchema`, restated in zod/mini so consumers do
 * not bundle classic zod.
 */
export function eventBridgeEventSchema<D extends z.ZodMiniType>(detail: D) {
  return z.object({
    version: z.string(),
    id: z.string(),
    'detail-type': z.string(),
    source: z.string(),
    account: z.string(),
    time: z.iso.datetime(),
    region: z.string(),
    resources: z.array(z.string()),
    detail,
    'replay-name': z.optional(z.string()),
  });
}

/** Identity of an event type: what EventBridge rules match on. */
export interface EventType {
  readonly detailType: string;
  readonly source: string;
  readonly schemaVersion: string;
}
