import { localArn, REGION } from './aws-account.ts';
import type { LocalSqs } from './sqs.ts';

/**
 * Where an event source mapping reads records from. The poller below owns the batch
 * semantics Lambda applies to every source (batch size, concurrency, partial batch
 * responses); a source owns how records are read, shaped into the function's event, and
 * settled. SQS is one source; a DynamoDB stream would be another.
 */
export interface BatchSource<R> {
  /** What invokes the function, e.g. `sqs:<queue>`, in invocation records and logs. */
  readonly name: string;
  /** Up to `max` records; may wait a little (long polling) and returns [] when idle. */
  receive(max: number): Promise<R[]>;
  /** The function's event for a batch (e.g. `{ Records: [...] }`). */
  toEvent(records: R[]): unknown;
  /** The id a function reports in `batchItemFailures[].itemIdentifier`. */
  idOf(record: R): string;
  /** Records processed: remove them from the source. */
  succeeded(records: R[]): Promise<void>;
  /** Records that failed: they stay in the source and come back (SQS: after the visibility timeout). */
  failed(records: R[]): Promise<void>;
}

export interface MappingOptions {
  batchSize: number;
  maxConcurrency: number;
  reportBatchItemFailures: boolean;
  invoke(event: unknown, trigger: string): Promise<unknown>;
  log(line: string): void;
}

export interface RunningMapping {
  stop(): Promise<void>;
}

/**
 * Polls a source and invokes the function with batches, at most `maxConcurrency` at a
 * time. With `reportBatchItemFailures` only the reported records fail; a function error
 * fails the whole batch. Lambda's semantics, independent of the source.
 */
export function startEventSourceMapping<R>(source: BatchSource<R>, options: MappingOptions): RunningMapping {
  let running = true;
  let active = 0;
  const wake: (() => void)[] = [];
  const inFlight = new Set<Promise<void>>();

  const process = async (records: R[]) => {
    let failed = new Set<string>();
    try {
      const result = (await options.invoke(source.toEvent(records), source.name)) as {
        batchItemFailures?: { itemIdentifier: string }[];
      } | null;
      if (options.reportBatchItemFailures && Array.isArray(result?.batchItemFailures)) {
        failed = new Set(result.batchItemFailures.map((f) => String(f.itemIdentifier)));
      }
    } catch (error) {
      failed = new Set(records.map((r) => source.idOf(r)));
      options.log(`[${source.name}] batch failed: ${(error as Error).message}`);
    }
    const ok = records.filter((r) => !failed.has(source.idOf(r)));
    const bad = records.filter((r) => failed.has(source.idOf(r)));
    await Promise.all([
      ok.length > 0 ? source.succeeded(ok) : undefined,
      bad.length > 0 ? source.failed(bad) : undefined,
    ]).catch((error: Error) => options.log(`[${source.name}] settling the batch failed: ${error.message}`));
  };

  const loop = (async () => {
    while (running) {
      if (active >= options.maxConcurrency) {
        await new Promise<void>((r) => wake.push(r));
        continue;
      }
      const records = await source.receive(options.batchSize).catch(() => [] as R[]);
      if (!running || records.length === 0) continue;
      active++;
      const job = process(records).finally(() => {
        active--;
        inFlight.delete(job);
        wake.shift()?.();
      });
      inFlight.add(job);
    }
  })();

  return {
    async stop() {
      running = false;
      for (const w of wake.splice(0)) w();
      await loop;
      await Promise.allSettled([...inFlight]);
    },
  };
}

interface SqsMessage {
  MessageId: string;
  ReceiptHandle: string;
  Body: string;
  MD5OfBody?: string;
  Attributes?: Record<string, string>;
  MessageAttributes?: Record<string, unknown>;
}

/** An SQS queue as a batch source: the Lambda SQS event, delete on success. */
export function sqsSource(sqs: LocalSqs, queueName: string): BatchSource<SqsMessage> {
  const url = sqs.queueUrl(queueName);
  const arn = localArn('sqs', queueName);
  return {
    name: `sqs:${queueName}`,
    async receive(max) {
      const { Messages = [] } = await sqs.call<{ Messages?: SqsMessage[] }>('ReceiveMessage', {
        QueueUrl: url,
        MaxNumberOfMessages: Math.min(10, max),
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      });
      return Messages;
    },
    toEvent: (messages) => ({
      Records: messages.map((m) => ({
        messageId: m.MessageId,
        receiptHandle: m.ReceiptHandle,
        body: m.Body,
        attributes: m.Attributes ?? {},
        messageAttributes: m.MessageAttributes ?? {},
        md5OfBody: m.MD5OfBody,
        eventSource: 'aws:sqs',
        eventSourceARN: arn,
        awsRegion: REGION,
      })),
    }),
    idOf: (m) => m.MessageId,
    async succeeded(messages) {
      await sqs.call('DeleteMessageBatch', {
        QueueUrl: url,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      });
    },
    // Failed messages stay in flight and return after the visibility timeout, counting a receive.
    async failed() {},
  };
}
