import { ItemNotFoundError, StockConflictError, ValidationError } from '../errors.ts';
import { ITEM_ID_PATTERN } from '../model.ts';
import { inventoryAdjusted } from '../outgoing-events.ts';
import type { Causation, Dependencies, StoredItem } from '../ports.ts';
import { isoNow, publishCommitted, withDecisionRetries } from './shared.ts';

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
 * 4. Publish InventoryAdjusted.
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
      const events = [inventoryAdjusted(item, input.totalQuantity, 'CREATED', input, now)];
      await deps.store.createItem(item, 'CREATED', events);
      await publishCommitted(deps, events);
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
    const events = [inventoryAdjusted(item, delta, 'SET_TOTAL', input, now)];
    await deps.store.changeStock({
      itemId: input.itemId,
      delta,
      name: input.name,
      expectedVersion: current.version,
      reason: 'SET_TOTAL',
      events,
      now,
    });
    await publishCommitted(deps, events);
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
 * below zero (STOCK_CONFLICT). Conditioned on the version read; publishes InventoryAdjusted.
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
    const events = [inventoryAdjusted(item, input.delta, input.reason, input, now)];
    await deps.store.changeStock({
      itemId: input.itemId,
      delta: input.delta,
      expectedVersion: current.version,
      reason: input.reason,
      events,
      now,
    });
    await publishCommitted(deps, events);
    return item;
  });
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
