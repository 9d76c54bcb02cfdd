/**
 * npm run dlq -- list | show <queue> | redrive <queue> [--max N]
 * Inspects dead-letter queues and moves their messages back to the queue they came from.
 * Queue names are the keys of the stack output QueueUrls, e.g. BookingCreatedDlq.
 */

import {
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { createDocumentClient } from '../../shared/adapters/aws-clients.ts';
import { type ChangeRecord, changeRecordOf, processChanges } from '../../shared/adapters/change-stream.ts';
import { systemClock } from '../../shared/adapters/clock.ts';
import { DynamoDbProjector } from '../../shared/adapters/dynamodb/projection.ts';
import { DynamoDbInventoryStore } from '../../shared/adapters/dynamodb-store.ts';
import { EventBridgePublisher } from '../../shared/adapters/eventbridge-publisher.ts';
import { serveChangedItems } from '../../shared/adapters/waitlist-changes.ts';
import type { StreamBatchResult } from '../../shared/consumers/stream-consumer.ts';
import { target } from './aws.ts';
import { flag } from './outputs.ts';

const args = process.argv.slice(2);
const [command, name] = args;
const {
  outputs,
  sqs: makeSqs,
  streams: makeStreams,
  eventBridge: makeEventBridge,
  dynamo: makeDynamo,
} = target(args);
const queues = JSON.parse(outputs.QueueUrls ?? '{}') as Record<string, string>;
if (Object.keys(queues).length === 0) {
  console.error('No QueueUrls in the outputs (pass --outputs FILE; default .local/outputs.json)');
  process.exit(2);
}
const sqs = makeSqs();
/** DLQs of the table stream's consumers: their messages name stream batches, not data. */
const STREAM_DLQS = new Set(['PublisherDlq', 'WaitlistServerDlq']);

const resolveQueue = (queue: string | undefined) => {
  const key = queue && (queues[queue] ? queue : queues[`${queue}Dlq`] ? `${queue}Dlq` : undefined);
  if (!key) {
    console.error(
      `Unknown queue ${queue ?? ''}; dead-letter queues: ${Object.keys(queues)
        .filter((k) => k.endsWith('Dlq'))
        .join(', ')}`,
    );
    process.exit(2);
  }
  return key;
};

if (command === 'list') {
  const rows = await Promise.all(
    Object.entries(queues).map(async ([key, url]) => {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return {
        queue: key,
        visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
        inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
      };
    }),
  );
  console.table(rows);
} else if (command === 'show') {
  const key = resolveQueue(name);
  const max = Number(flag(args, 'max') ?? 10);
  // Visibility 0: looking does not hide the messages from a later redrive.
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queues[key],
      MaxNumberOfMessages: Math.min(10, max),
      VisibilityTimeout: 0,
      MessageSystemAttributeNames: ['All'],
    }),
  );
  for (const m of Messages)
    console.log(
      JSON.stringify(
        {
          messageId: m.MessageId,
          receiveCount: m.Attributes?.ApproximateReceiveCount,
          body: safeJson(m.Body),
        },
        null,
        2,
      ),
    );
  if (Messages.length === 0) console.log(`${key} is empty`);
} else if (command === 'redrive' && STREAM_DLQS.has(resolveQueue(name))) {
  // A stream consumer's DLQ holds where a batch is (shard, sequence numbers), not the data:
  // re-read those records from the stream (it keeps them 24 hours) and hand them to the
  // consumer's own code again: the publisher's (same event ids) or the waitlist server's
  // (serving is a conditional decision: a batch served twice serves nobody twice).
  const dlq = resolveQueue(name);
  const consume = await streamConsumerOf(dlq);
  const streams = makeStreams();
  let batches = 0;
  let done = 0;
  // A batch that cannot be published now stays in the queue and is made visible again at
  // the end (not during the run: it would be received again and again).
  const left: string[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queues[dlq],
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 60,
        WaitTimeSeconds: 1,
      }),
    );
    if (Messages.length === 0) break;
    for (const m of Messages) {
      const info = (safeJson(m.Body) as { DDBStreamBatchInfo?: StreamBatchInfo }).DDBStreamBatchInfo;
      if (!info) {
        console.error(`message ${m.MessageId} names no stream batch; left in the queue`);
        left.push(m.ReceiptHandle ?? '');
        continue;
      }
      const records = await readStreamBatch(streams, info);
      const result = await consume(records.map((r) => changeRecordOf(r as never)));
      if (result.failedAt !== undefined) {
        console.error(
          `batch at ${info.startSequenceNumber}: failed again at ${result.failedAt}; left in the queue`,
        );
        left.push(m.ReceiptHandle ?? '');
        continue;
      }
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queues[dlq],
          Entries: [{ Id: '0', ReceiptHandle: m.ReceiptHandle }],
        }),
      );
      batches++;
      done += result.done;
    }
  }
  for (const receiptHandle of left) {
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queues[dlq],
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: 0,
      }),
    );
  }
  console.log(
    `redrove ${batches} stream batch(es) from ${dlq}: ${done} ${dlq === 'PublisherDlq' ? 'event(s) published' : 'booking(s) served'}`,
  );
  if (left.length > 0) {
    console.error(`${left.length} batch(es) left in ${dlq}; run the redrive again once the cause is fixed`);
    process.exitCode = 1;
  }
} else if (command === 'redrive') {
  const key = resolveQueue(name);
  const source = key.replace(/(Target)?Dlq$/, 'Queue');
  const sourceUrl = queues[source];
  if (!sourceUrl) {
    console.error(`No source queue ${source} for ${key}`);
    process.exit(2);
  }
  const max = Number(flag(args, 'max') ?? Number.POSITIVE_INFINITY);
  let moved = 0;
  while (moved < max) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queues[key],
        MaxNumberOfMessages: Math.min(10, max - moved),
        VisibilityTimeout: 30,
        WaitTimeSeconds: 1,
      }),
    );
    if (Messages.length === 0) break;
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: sourceUrl,
        Entries: Messages.map((m, i) => ({ Id: String(i), MessageBody: m.Body ?? '' })),
      }),
    );
    const ok = new Set((sent.Successful ?? []).map((s) => s.Id));
    const toDelete = Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })).filter((e) =>
      ok.has(e.Id),
    );
    if (toDelete.length > 0)
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queues[key], Entries: toDelete }));
    moved += toDelete.length;
    if (toDelete.length < Messages.length) break;
  }
  console.log(`moved ${moved} message(s) from ${key} to ${source}`);
} else {
  console.error('usage: npm run dlq -- list | show <queue> | redrive <queue> [--max N]');
  process.exit(2);
}

/** The code a stream DLQ's consumer runs on a batch: `done` counts what it achieved. */
async function streamConsumerOf(
  dlq: string,
): Promise<(changes: ChangeRecord[]) => Promise<StreamBatchResult>> {
  const tableName = flag(args, 'table') ?? outputs.TableName;
  if (!tableName) {
    console.error('No TableName in the outputs (pass --table NAME)');
    process.exit(2);
  }
  const documents = createDocumentClient(makeDynamo());
  if (dlq === 'PublisherDlq') {
    const bus = flag(args, 'bus') ?? outputs.EventBusName;
    if (!bus) {
      console.error('No EventBusName in the outputs (pass --bus NAME)');
      process.exit(2);
    }
    const ports = {
      publisher: new EventBridgePublisher({ client: makeEventBridge(), eventBusName: bus }),
      projector: new DynamoDbProjector({ client: documents, tableName }),
    };
    return async (changes) => {
      const r = await processChanges(changes, ports);
      return { done: r.published, failedAt: r.failedAt };
    };
  }
  const store = new DynamoDbInventoryStore({ client: documents, tableName });
  return async (changes) => {
    const r = await serveChangedItems(changes, { store, clock: systemClock });
    return { done: r.served, failedAt: r.failedAt };
  };
}

function safeJson(text: string | undefined) {
  try {
    return JSON.parse(text ?? '');
  } catch {
    return text;
  }
}

interface StreamBatchInfo {
  shardId: string;
  streamArn: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
}

/** The records of one given-up batch, read again from its shard (start to end, inclusive). */
async function readStreamBatch(
  streams: DynamoDBStreamsClient,
  info: StreamBatchInfo,
): Promise<StreamRecord[]> {
  const { ShardIterator } = await streams.send(
    new GetShardIteratorCommand({
      StreamArn: info.streamArn,
      ShardId: info.shardId,
      ShardIteratorType: 'AT_SEQUENCE_NUMBER',
      SequenceNumber: info.startSequenceNumber,
    }),
  );
  const records: StreamRecord[] = [];
  let iterator = ShardIterator;
  const end = BigInt(info.endSequenceNumber);
  for (let page = 0; iterator && page < 100; page++) {
    const out = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
    for (const r of out.Records ?? []) {
      if (BigInt(r.dynamodb?.SequenceNumber ?? '0') > end) return records;
      records.push(r);
    }
    if ((out.Records ?? []).length === 0) break;
    iterator = out.NextShardIterator;
  }
  return records;
}
