import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Counts the requests a DynamoDB client sends, by operation (an SDK middleware). */
export function countRequests(client: DynamoDBClient) {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName ?? 'unknown').replace(/Command$/, '');
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'requestCounter', override: true },
  );
  return {
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    byOperation: () => Object.fromEntries(counts),
    reset: () => counts.clear(),
  };
}
