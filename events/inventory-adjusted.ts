import * as z from 'zod/mini';
import { detailSchema, ITEM_ID } from './envelope.ts';

export { InventoryAdjusted } from './identities.ts';

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
