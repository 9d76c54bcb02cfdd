import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { MultiBar } from 'cli-progress';
import type { DynamoDbLocal } from '../local/dynamodb-local.ts';
import { createDocumentClient } from '../shared/adapters/aws-clients.ts';
import { itemRow, newItem } from '../shared/adapters/dynamodb-store.ts';
import { domainTableDefinition } from '../shared/adapters/table-schema.ts';

/** Credentials and region for the local emulators (never AWS). */
export const LOCAL_AWS = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
};

/** What every stage receives from the CLI. */
export interface StageContext {
  quick: boolean;
  root: string;
  bars: MultiBar;
}

/** A stage that needs DynamoDB Local also gets a client and table helpers. */
export interface DynamoStageContext extends StageContext {
  endpoint: string;
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  /** Creates a fresh domain table and returns its name. */
  freshTable(prefix: string): Promise<string>;
  /** Puts an item row with `total` available units. */
  seed(tableName: string, itemId: string, total: number): Promise<void>;
}

export function dynamoContext(base: StageContext, dynamo: DynamoDbLocal): DynamoStageContext {
  const client = new DynamoDBClient({ ...LOCAL_AWS, endpoint: dynamo.endpoint, maxAttempts: 1 });
  const doc = createDocumentClient(client);
  return {
    ...base,
    endpoint: dynamo.endpoint,
    client,
    doc,
    async freshTable(prefix) {
      const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
      await client.send(new CreateTableCommand(domainTableDefinition(tableName)));
      return tableName;
    },
    async seed(tableName, itemId, total) {
      await doc.send(new PutCommand({ TableName: tableName, Item: itemRow(newItem(itemId, total)) }));
    },
  };
}

/** Runs `count` tasks with at most `concurrency` in flight. */
export async function pool<T>(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<T>,
): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        out[i] = await task(i);
      }
    }),
  );
  return out;
}

/** Puts one `{ metadata, data }` event on the local cloud's bus, as a producer would. */
export function putEvent(
  eb: EventBridgeClient,
  eventBusName: string | undefined,
  detailType: string,
  source: string,
  data: Record<string, unknown>,
) {
  return eb.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: eventBusName,
          Source: source,
          DetailType: detailType,
          Detail: JSON.stringify({
            metadata: {
              eventId: randomUUID(),
              correlationId: randomUUID(),
              occurredAt: new Date().toISOString(),
              schemaVersion: '1',
            },
            data,
          }),
        },
      ],
    }),
  );
}

/**
 * Runs `node` with `args` and exactly `env`; resolves with its exit code and output once it
 * has closed. `onOutput` sees the standard output gathered so far each time more arrives.
 */
export function runNode(
  node: string,
  args: readonly string[],
  env: Record<string, string>,
  onOutput: (out: string) => void = () => undefined,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += String(d);
      onOutput(out);
    });
    child.stderr.on('data', (d: Buffer) => {
      err += String(d);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}
