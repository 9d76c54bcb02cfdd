import * as z from 'zod/mini';
import {
  ITEM_ID_PATTERN,
  MAX_LINE_QUANTITY,
  MAX_LINES,
  MAX_PAYMENT_ID_LENGTH,
  MAX_WAITLIST_SECONDS,
  MIN_LINE_QUANTITY,
  MIN_WAITLIST_SECONDS,
  WAITLIST_PRIORITIES,
} from '../shared/domain/limits.ts';
import type { EventType } from './identities.ts';

/**
 * Shared pieces of every event contract. Schemas use zod's tree-shakeable `zod/mini` API:
 * the classic API adds about 440 KB to every Lambda bundle, mini about 12 KB.
 */

export { BOOKING_SOURCE, type EventType, INVENTORY_SOURCE, PAYMENT_SOURCE } from './identities.ts';

/** An event's identity and the schema its detail is parsed with. */
export interface EventContract {
  type: EventType;
  detail: z.ZodMiniType;
}

export const ITEM_ID = z.string().check(z.regex(ITEM_ID_PATTERN));
export const BOOKING_ID = z.uuid();
export const QUANTITY = z.int().check(z.minimum(MIN_LINE_QUANTITY), z.maximum(MAX_LINE_QUANTITY));
/** A booking's wish to wait for stock instead of being refused (BookingCreated, POST /reserve). */
export const waitlistRequestSchema = z.strictObject({
  maxWaitSeconds: z.int().check(z.minimum(MIN_WAITLIST_SECONDS), z.maximum(MAX_WAITLIST_SECONDS)),
});
export const WAITLIST_PRIORITY = z.enum(WAITLIST_PRIORITIES);
/** 1 to MAX_LINES lines. */
export const LINES_LENGTH = [z.minLength(1), z.maxLength(MAX_LINES)] as const;
/** A payment id as the payment service sends it. */
export const PAYMENT_ID = z.string().check(z.minLength(1), z.maxLength(MAX_PAYMENT_ID_LENGTH));
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
