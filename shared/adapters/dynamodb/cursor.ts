import { ValidationError } from '../../domain/errors.ts';
import { ITEM_ID_PATTERN } from '../../domain/model.ts';
import { ITEMS_INDEX, ITEMS_PARTITION } from '../table-schema.ts';

/**
 * The item list's cursor: only what listing needs, the last item id of the page. The table's
 * key layout never leaves the adapter (the key is rebuilt here), and whatever a caller sends
 * can only ever become a well-formed start key on the items partition. The HTTP layer
 * additionally authenticates the cursor (shared/http/cursor.ts).
 */
export function encodeCursor(lastEvaluatedKey: Record<string, unknown>): string {
  const itemId = lastEvaluatedKey[ITEMS_INDEX.sortKey];
  if (typeof itemId !== 'string') throw new Error('LastEvaluatedKey has no item id');
  return itemId;
}

/** The ExclusiveStartKey of a cursor; `ValidationError` for anything we could not have issued. */
export function decodeCursor(
  cursor: string,
  itemKey: (itemId: string) => { pk: string; sk: string },
): Record<string, string> {
  if (!ITEM_ID_PATTERN.test(cursor)) throw new ValidationError('nextToken is not valid');
  return {
    ...itemKey(cursor),
    [ITEMS_INDEX.partitionKey]: ITEMS_PARTITION,
    [ITEMS_INDEX.sortKey]: cursor,
  };
}
