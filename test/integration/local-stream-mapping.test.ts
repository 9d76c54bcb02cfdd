import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStreamMapping } from '../../local/stream-mappings.ts';
import { createDocumentClient } from '../../shared/adapters/aws-clients.ts';
import { acquireDynamoDbLocal, localClient } from '../support/dynamo.ts';

/**
 * The local cloud's table-stream event source mapping against DynamoDB Local's Streams
 * API: filter criteria, order per shard, partial batch responses as a checkpoint, retries
 * to a limit, then the on-failure destination with the batch's place in the stream.
 */
let local: Awaited<ReturnType<typeof acquireDynamoDbLocal>>;
const endpoint = () => local.endpoint;
const client = () => localClient(endpoint());
const tableName = `stream-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  local = await acquireDynamoDbLocal();
  await client().send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }),
  );
});
afterAll(async () => {
  await client().send(new DeleteTableCommand({ TableName: tableName }));
  await local.release();
});

const waitFor = async (check: () => boolean, ms = 15_000) => {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('local table-stream event source mapping', () => {
  it('delivers matching records in order, retries from a reported failure, and gives up to the on-failure queue', async () => {
    const doc = createDocumentClient(client());
    const seen: string[] = [];
    const failures = new Map<string, number>();
    const dlq: string[] = [];
    const mapping = startStreamMapping(
      {
        logicalId: 'M',
        functionId: 'F',
        tableName,
        batchSize: 10,
        bisectBatchOnError: true,
        maximumRetryAttempts: 2,
        maximumRecordAgeSeconds: -1,
        reportBatchItemFailures: true,
        onFailureQueue: 'Dlq',
        filters: [{ dynamodb: { NewImage: { entity: { S: ['RESERVATION'] } } } }],
      },
      {
        dynamoEndpoint: endpoint(),
        pollIntervalMs: 20,
        log: () => {},
        sendToQueue: async (_queue, body) => {
          dlq.push(body);
        },
        invoke: async (event) => {
          const records = (
            event as {
              Records: Array<{ dynamodb: { SequenceNumber: string; NewImage: { sk: { S: string } } } }>;
            }
          ).Records;
          for (const r of records) {
            const name = r.dynamodb.NewImage.sk.S;
            // 'poison' always fails; 'flaky' fails once.
            const count = failures.get(name) ?? 0;
            if (name === 'poison' || (name === 'flaky' && count === 0)) {
              failures.set(name, count + 1);
              return { batchItemFailures: [{ itemIdentifier: r.dynamodb.SequenceNumber }] };
            }
            seen.push(name);
          }
          return { batchItemFailures: [] };
        },
      },
    );
    try {
      for (const sk of ['a', 'ledger', 'flaky', 'b', 'poison', 'c']) {
        await doc.send(
          new PutCommand({
            TableName: tableName,
            Item: { pk: 'P', sk, entity: sk === 'ledger' ? 'MOVEMENT' : 'RESERVATION' },
          }),
        );
      }
      await waitFor(() => seen.includes('c'));
      // Filtered: the ledger row never reached the function. In order, each once after its
      // success; the flaky record retried; the poison one given up after 1 + 2 attempts.
      expect(seen).toEqual(['a', 'flaky', 'b', 'c']);
      expect(failures.get('poison')).toBe(3);
      expect(dlq).toHaveLength(1);
      expect(JSON.parse(dlq[0] ?? '{}')).toMatchObject({
        requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3 },
        DDBStreamBatchInfo: { batchSize: 1, startSequenceNumber: expect.any(String) },
      });
    } finally {
      await mapping.stop();
    }
  }, 60_000);

  it('sleeps its idle interval when nothing wakes it, and reads the shards at once when woken', async () => {
    const doc = createDocumentClient(client());
    const seen = new Map<string, number>();
    const mapping = startStreamMapping(
      {
        logicalId: 'M',
        functionId: 'F',
        tableName,
        batchSize: 10,
        bisectBatchOnError: false,
        maximumRetryAttempts: -1,
        maximumRecordAgeSeconds: -1,
        reportBatchItemFailures: false,
        filters: [],
      },
      {
        dynamoEndpoint: endpoint(),
        pollIntervalMs: 60_000,
        log: () => {},
        sendToQueue: async () => {},
        invoke: async (event) => {
          for (const r of (event as { Records: Array<{ dynamodb: { Keys: { sk: { S: string } } } }> })
            .Records)
            seen.set(r.dynamodb.Keys.sk.S, Date.now());
          return null;
        },
      },
    );
    try {
      // The first read takes what the table already holds; then the mapping is idle.
      await waitFor(() => seen.has('c'));
      await new Promise((r) => setTimeout(r, 300));
      await doc.send(new PutCommand({ TableName: tableName, Item: { pk: 'P', sk: 'unwoken' } }));
      await new Promise((r) => setTimeout(r, 1500));
      expect(seen.has('unwoken')).toBe(false);
      const written = Date.now();
      await doc.send(new PutCommand({ TableName: tableName, Item: { pk: 'P', sk: 'woken' } }));
      mapping.wake();
      await waitFor(() => seen.has('woken'), 5000);
      // In stream order: the record written before it comes first, in the same read.
      expect((seen.get('woken') ?? 0) - written).toBeLessThan(1000);
      expect([...seen.keys()].slice(-2)).toEqual(['unwoken', 'woken']);
    } finally {
      await mapping.stop();
    }
  }, 60_000);
});
