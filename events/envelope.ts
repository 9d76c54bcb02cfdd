import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import { z } from 'zod';

/** Sources on the bus. */
export const INVENTORY_SOURCE = 'inventory-service';
export const BOOKING_SOURCE = 'booking-service';
export const PAYMENT_SOURCE = 'payment-service';

export const ITEM_ID = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/)
  .describe('Item id');
export const BOOKING_ID = z.uuid().describe('Booking id (UUID)');
export const QUANTITY = z.number().int().min(1).max(10_000);

/** A reservation line. */
export const lineSchema = z.strictObject({ itemId: ITEM_ID, quantity: QUANTITY });
/** What a short line asked for and found. */
export const shortfallSchema = z.strictObject({
  itemId: ITEM_ID,
  requested: QUANTITY,
  available: z.number().int().min(0),
});

/** Metadata every event detail carries. */
export const metadataSchema = z.strictObject({
  eventId: z.uuid(),
  correlationId: z.string().min(1).max(128),
  causationId: z.string().min(1).max(128).optional(),
  occurredAt: z.iso.datetime(),
  schemaVersion: z.string().min(1),
});
export type EventMetadata = z.infer<typeof metadataSchema>;

/**
 * The detail of one of our events: `{ metadata, data }`. Consumed events are parsed
 * loosely (a producer may add fields without breaking us); published ones strictly.
 */
export function detailSchema<D extends z.ZodType>(data: D, mode: 'strict' | 'loose' = 'strict') {
  return mode === 'strict'
    ? z.strictObject({ metadata: metadataSchema, data })
    : z.looseObject({ metadata: metadataSchema.loose(), data });
}

/** A full EventBridge event (as it arrives in an SQS body) whose detail is `detail`. */
export function eventBridgeEventSchema<D extends z.ZodType>(detail: D) {
  return EventBridgeSchema.extend({ detail });
}

/** Identity of an event type: what EventBridge rules match on. */
export interface EventType {
  readonly detailType: string;
  readonly source: string;
  readonly schemaVersion: string;
}
