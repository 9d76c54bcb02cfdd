import { describe, expect, it } from 'vitest';
import { tablesWritten } from '../../../local/edge.ts';

const body = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('the tables a DynamoDB request writes (what wakes the table-stream pollers)', () => {
  it('names the tables of single writes, batches and transactions (not the condition checks of a transaction), by name or ARN', () => {
    expect(tablesWritten('PutItem', body({ TableName: 'inventory' }))).toEqual(['inventory']);
    expect(
      tablesWritten(
        'UpdateItem',
        body({ TableName: 'arn:aws:dynamodb:us-east-1:000000000000:table/inventory' }),
      ),
    ).toEqual(['inventory']);
    expect(tablesWritten('BatchWriteItem', body({ RequestItems: { a: [], b: [] } }))).toEqual(['a', 'b']);
    expect(
      tablesWritten(
        'TransactWriteItems',
        body({
          TransactItems: [
            { Update: { TableName: 'inventory' } },
            { Put: { TableName: 'inventory' } },
            { ConditionCheck: { TableName: 'other' } },
          ],
        }),
      ),
    ).toEqual(['inventory']);
  });

  it('says nothing is written by reads, and "unknown" for PartiQL', () => {
    expect(tablesWritten('GetItem', body({ TableName: 'inventory' }))).toEqual([]);
    expect(tablesWritten('Query', body({ TableName: 'inventory' }))).toEqual([]);
    expect(
      tablesWritten('ExecuteStatement', body({ Statement: 'UPDATE "inventory" SET a=1' })),
    ).toBeUndefined();
  });
});
