import * as z from 'zod/mini';
import { detailSchema, type EventType, INVENTORY_SOURCE, ITEM_ID } from './envelope.ts';

/** Published: an administrator created an item or changed its stock. */
export const InventoryAdjusted = {
  detailType: 'InventoryAdjusted',
  source: INVENTORY_SOURCE,
  schemaVersion: '1',
} as const satisfies EventType;

export const inventoryAdjustedData = z.strictObject({
  itemId: ITEM_ID,
  delta: z.int(),
  reason: z.string().check(z.minLength(1), z.maxLength(256)),
  totalQuantity: z.int().check(z.minimum(0)),
  availableQuantity: z.int().check(z.minimum(0)),
  adjustedAt: z.iso.datetime(),
});
export const inventoryAdjustedDetail = detailSchema(inventoryAdjustedData);
export type InventoryAdjustedData = z.infer<typeof inventoryAdjustedData>;
export type InventoryAdjustedDetail = z.infer<typeof inventoryAdjustedDetail>;
