/**
 * npm run dlq -- list | show <queue> | redrive <queue> [--max N]
 * Inspects dead-letter queues and moves their messages back to the queue they came from.
 * Queue names are the keys of the stack output QueueUrls, e.g. BookingCreatedDlq.
 */
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { target } from './aws.ts';
import { flag } from './outputs.ts';

const args = process.argv.slice(2);
const [command, name] = args;
const { outputs, sqs: makeSqs } = target(args);
const queues = JSON.parse(outputs.QueueUrls ?? '{}') as Record<string, string>;
if (Object.keys(queues).length === 0) {
  console.error('No QueueUrls in the outputs (pass --outputs FILE; default .local/outputs.json)');
  process.exit(2);
}
const sqs = makeSqs();
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

function safeJson(text: string | undefined) {
  try {
    return JSON.parse(text ?? '');
  } catch {
    return text;
  }
}
