import * as z from 'zod/mini';
import { detailSchema, type EventContract, ITEM_ID } from './envelope.ts';
import { InventoryAdjusted } from './identities.ts';

export { InventoryAdjusted };

export const inventoryAdjustedData = z.strictObject({
  itemId: ITEM_ID,
  delta: z.int(),
  reason: z.string().check(z.minLength(1), z.maxLength(256)),
  totalQuantity: z.int().check(z.minimum(0)),
  availableQuantity: z.int().check(z.minimum(0)),
  adjustedAt: z.iso.datetime(),
});
export const inventoryAdjustedDetail = detailSchema(inventoryAdjustedData);
/** What InventoryAdjusted is checked against: the contract tests, its JSON Schema and `npm run events`. */
export const inventoryAdjustedContract = {
  type: InventoryAdjusted,
  detail: inventoryAdjustedDetail,
} as const satisfies EventContract;
export type InventoryAdjustedData = z.infer<typeof inventoryAdjustedData>;
export type InventoryAdjustedDetail = z.infer<typeof inventoryAdjustedDetail>;
