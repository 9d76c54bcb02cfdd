import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { LOCAL_AWS } from './context.ts';
import { Capacity, itemSize } from './stats.ts';

/** Requests by operation and capacity units by DynamoDB's formulas. */
export interface Counted {
  requests: Record<string, number>;
  rcu: number;
  wcu: number;
}

/**
 * A DynamoDB client whose every request is counted by an SDK middleware, capacity by the
 * documented formulas (transactional writes 2 units per KB per item, standard writes 1 per KB,
 * strongly consistent reads 1 per 4 KB, eventually consistent 0.5).
 */
export function meteredClient(endpoint: string): { client: DynamoDBClient; reset(): Counted } {
  const client = new DynamoDBClient({ ...LOCAL_AWS, endpoint });
  let counted: Counted = { requests: {}, rcu: 0, wcu: 0 };
  client.middlewareStack.add(
    (next, context) => async (a) => {
      const result = await next(a);
      const name = String(context.commandName).replace(/Command$/, '');
      // biome-ignore lint/suspicious/noExplicitAny: SDK inputs and outputs of every command pass here.
      const input = (a as { input: Record<string, any> }).input;
      // biome-ignore lint/suspicious/noExplicitAny: as above.
      const output = (result as { output: Record<string, any> }).output;
      counted.requests[name] = (counted.requests[name] ?? 0) + 1;
      // The document client may hand over native values or attribute values: size either.
      const size = (item: unknown) => {
        if (!item) return 1;
        try {
          return itemSize(unmarshall(item as never));
        } catch {
          return itemSize(item);
        }
      };
      switch (name) {
        case 'GetItem':
          counted.rcu += Capacity.read(size(output.Item), input.ConsistentRead ? 'strong' : 'eventual');
          break;
        case 'Query':
        case 'Scan':
          counted.rcu += Capacity.read(
            (output.Items ?? []).reduce((n: number, i: unknown) => n + size(i), 0),
            input.ConsistentRead ? 'strong' : 'eventual',
          );
          break;
        case 'BatchGetItem':
          for (const rows of Object.values(output.Responses ?? {}) as unknown[][]) {
            for (const row of rows) counted.rcu += Capacity.read(size(row), 'strong');
          }
          break;
        case 'PutItem':
          counted.wcu += Capacity.write(size(input.Item), false);
          break;
        case 'UpdateItem':
        case 'DeleteItem':
          // Our item, booking and idempotency rows are all under 1 KB (measured): 1 WCU.
          counted.wcu += Capacity.write(1, false);
          break;
        case 'BatchWriteItem':
          for (const reqs of Object.values(input.RequestItems ?? {}) as {
            PutRequest?: { Item: unknown };
          }[][]) {
            for (const r of reqs)
              counted.wcu += Capacity.write(r.PutRequest ? size(r.PutRequest.Item) : 1, false);
          }
          break;
        case 'TransactWriteItems':
          for (const t of input.TransactItems ?? [])
            counted.wcu += Capacity.write(t.Put ? size(t.Put.Item) : 1, true);
          break;
      }
      return result;
    },
    { step: 'initialize', name: 'capacityCounter' },
  );
  return {
    client,
    reset() {
      const snapshot = counted;
      counted = { requests: {}, rcu: 0, wcu: 0 };
      return snapshot;
    },
  };
}
