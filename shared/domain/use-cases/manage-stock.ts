import { ItemNotFoundError, StockConflictError, ValidationError } from '../errors.ts';
import { ITEM_ID_PATTERN } from '../model.ts';
import type { Causation, Dependencies, ItemAdjustment, StoredItem } from '../ports.ts';
import { isoNow, withDecisionRetries } from './shared.ts';

export interface PutItemInput extends Causation {
  itemId: string;
  name: string;
  totalQuantity: number;
}

/**
 * Creates an item or sets its name and total stock.
 *
 * 1. Read the item. Absent: create it with everything available (conditional on absence).
 * 2. Present: the total changes by `delta` and so does `available`; refused with
 *    STOCK_CONFLICT when the new total is below `reserved + confirmed`.
 * 3. The write is conditioned on the version read; a race re-reads and re-decides.
 * 4. The row carries the change: the stream publishes InventoryAdjusted.
 */
export async function putItem(
  input: PutItemInput,
  deps: Dependencies,
): Promise<{ outcome: 'created' | 'updated'; item: StoredItem }> {
  assertItemId(input.itemId);
  if (!Number.isInteger(input.totalQuantity) || input.totalQuantity < 0) {
    throw new ValidationError('totalQuantity must be a non-negative integer');
  }
  return withDecisionRetries(async () => {
    const current = await deps.store.getItem(input.itemId);
    const now = isoNow(deps);
    if (!current) {
      const item: StoredItem = {
        itemId: input.itemId,
        name: input.name,
        totalQuantity: input.totalQuantity,
        availableQuantity: input.totalQuantity,
        reservedQuantity: 0,
        confirmedQuantity: 0,
        updatedAt: now,
        version: 1,
      };
      item.adjustment = adjustmentOf(input.totalQuantity, 'CREATED', item.version, now, input);
      await deps.store.createItem(item, 'CREATED');
      return { outcome: 'created', item };
    }
    const delta = input.totalQuantity - current.totalQuantity;
    const held = current.reservedQuantity + current.confirmedQuantity;
    if (input.totalQuantity < held) {
      throw new StockConflictError(
        `totalQuantity ${input.totalQuantity} is below the ${held} units reserved or confirmed`,
        { details: { itemId: input.itemId, requested: input.totalQuantity, held } },
      );
    }
    const item = applyDelta(current, delta, now, input.name);
    item.adjustment = adjustmentOf(delta, 'SET_TOTAL', item.version, now, input);
    await deps.store.changeStock({
      itemId: input.itemId,
      delta,
      name: input.name,
      expectedVersion: current.version,
      reason: 'SET_TOTAL',
      adjustment: item.adjustment,
      now,
    });
    return { outcome: 'updated', item };
  });
}

export interface AdjustStockInput extends Causation {
  itemId: string;
  delta: number;
  reason: string;
}

/**
 * Replenishes (delta > 0) or shrinks (delta < 0) an item's stock; available never goes
 * below zero (STOCK_CONFLICT). Conditioned on the version read; the stream publishes InventoryAdjusted.
 */
export async function adjustStock(input: AdjustStockInput, deps: Dependencies): Promise<StoredItem> {
  assertItemId(input.itemId);
  if (!Number.isInteger(input.delta) || input.delta === 0) {
    throw new ValidationError('delta must be a non-zero integer');
  }
  return withDecisionRetries(async () => {
    const current = await deps.store.getItem(input.itemId);
    if (!current) throw new ItemNotFoundError([input.itemId]);
    if (current.availableQuantity + input.delta < 0) {
      throw new StockConflictError(
        `Cannot remove ${-input.delta} units from ${input.itemId}: only ${current.availableQuantity} available`,
        { details: { itemId: input.itemId, requested: -input.delta, available: current.availableQuantity } },
      );
    }
    const now = isoNow(deps);
    const item = applyDelta(current, input.delta, now);
    item.adjustment = adjustmentOf(input.delta, input.reason, item.version, now, input);
    await deps.store.changeStock({
      itemId: input.itemId,
      delta: input.delta,
      expectedVersion: current.version,
      reason: input.reason,
      adjustment: item.adjustment,
      now,
    });
    return item;
  });
}

/** What the change stream publishes as `InventoryAdjusted` for the item version `version`. */
function adjustmentOf(
  delta: number,
  reason: string,
  version: number,
  at: string,
  cause: Causation,
): ItemAdjustment {
  return {
    delta,
    reason,
    version,
    at,
    causation: {
      correlationId: cause.correlationId,
      ...(cause.causationId ? { causationId: cause.causationId } : {}),
    },
  };
}

function applyDelta(current: StoredItem, delta: number, now: string, name?: string): StoredItem {
  return {
    ...current,
    ...(name === undefined ? {} : { name }),
    totalQuantity: current.totalQuantity + delta,
    availableQuantity: current.availableQuantity + delta,
    updatedAt: now,
    version: current.version + 1,
  };
}

function assertItemId(itemId: string): void {
  if (!ITEM_ID_PATTERN.test(itemId)) throw new ValidationError(`Invalid itemId: ${itemId}`);
}
