import { z } from 'zod';
import { detailSchema, type EventType, INVENTORY_SOURCE, ITEM_ID } from './envelope.ts';

/** Published: an administrator created an item or changed its stock. */
export const InventoryAdjusted = {
  detailType: 'InventoryAdjusted',
  source: INVENTORY_SOURCE,
  schemaVersion: '1',
} as const satisfies EventType;

export const inventoryAdjustedData = z.strictObject({
  itemId: ITEM_ID,
  delta: z.number().int(),
  reason: z.string().min(1).max(256),
  totalQuantity: z.number().int().min(0),
  availableQuantity: z.number().int().min(0),
  adjustedAt: z.iso.datetime(),
});
export const inventoryAdjustedDetail = detailSchema(inventoryAdjustedData);
export type InventoryAdjustedData = z.infer<typeof inventoryAdjustedData>;
export type InventoryAdjustedDetail = z.infer<typeof inventoryAdjustedDetail>;
