import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { StoredItem } from '../../domain/ports.ts';
import { itemKey, toStoredItem } from './table-layout.ts';

/**
 * One item's row, strongly consistent: the inventory store's and the reconciler's read, kept
 * apart from the inventory store so the reconciler's bundle does not carry the store's writes.
 */
export async function readStoredItem(
  db: DynamoDBDocumentClient,
  tableName: string,
  itemId: string,
): Promise<StoredItem | undefined> {
  const { Item } = await db.send(
    new GetCommand({ TableName: tableName, Key: itemKey(itemId), ConsistentRead: true }),
  );
  return Item ? toStoredItem(Item) : undefined;
}
