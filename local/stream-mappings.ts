import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { REGION } from './aws-account.ts';
import { matchesPattern, type Pattern, validatePattern } from './event-pattern.ts';
import type { RunningMapping } from './event-source-mappings.ts';

/** An `AWS::Lambda::EventSourceMapping` whose source is a DynamoDB table's stream. */
export interface StreamMappingDefinition {
  logicalId: string;
  functionId: string;
  tableName: string;
  batchSize: number;
  bisectBatchOnError: boolean;
  /** -1: until the record is too old. */
  maximumRetryAttempts: number;
  /** -1: no limit (24 h, the stream's retention). */
  maximumRecordAgeSeconds: number;
  reportBatchItemFailures: boolean;
  /** The on-failure destination's queue name, if any. */
  onFailureQueue?: string;
  /** Filter criteria patterns (a record passes if any matches). */
  filters: Pattern[];
}

export interface StreamMappingOptions {
  dynamoEndpoint: string;
  invoke(event: unknown, trigger: string): Promise<unknown>;
  sendToQueue(queueName: string, body: string): Promise<void>;
  log(line: string): void;
  /** How long the shards wait, when none had records, before they are read again (unless woken). */
  pollIntervalMs?: number;
}

/** Lambda polls each shard about four times a second. */
export const STREAM_POLL_INTERVAL_MS = 250;
/** How often the shard list is read again for new shards (also whenever a shard closes). */
const SHARD_REFRESH_MS = 5000;

/** A running table-stream mapping; `wake` says the table was just written: read the shards now. */
export interface RunningStreamMapping extends RunningMapping {
  wake(): void;
}

/**
 * Lambda's event source mapping for a DynamoDB stream, on DynamoDB Local's Streams API:
 * records of a shard in order, filtered by the mapping's filter criteria (the same pattern
 * language as EventBridge), in batches; a reported failure (`batchItemFailures`, the first
 * sequence number) or a function error retries the batch from there, bisecting it on an
 * error when asked, until the retry or age limit, after which the batch's description goes
 * to the on-failure destination and the shard moves on. Only then, or on success, does the
 * shard's checkpoint advance: nothing is skipped and nothing overtakes a failed record.
 */
export function startStreamMapping(
  def: StreamMappingDefinition,
  options: StreamMappingOptions,
): RunningStreamMapping {
  for (const pattern of def.filters) validatePattern(pattern);
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const dynamo = new DynamoDBClient({ endpoint: options.dynamoEndpoint, region: REGION, credentials });
  const streams = new DynamoDBStreamsClient({
    endpoint: options.dynamoEndpoint,
    region: REGION,
    credentials,
  });
  const trigger = `dynamodb:${def.tableName}`;
  const idle = options.pollIntervalMs ?? STREAM_POLL_INTERVAL_MS;
  let running = true;
  let streamArn: string | undefined;
  let refreshedAt = 0;
  let shardClosed = false;
  // The idle wait ends early when the table is written (a wake-up instead of a sleep, as
  // SQS long polling answers as soon as a message arrives); a wake while the shards are
  // being read makes the next wait end at once, so no write waits out a full interval.
  let wakeUp: (() => void) | undefined;
  let woken = false;
  const idleWait = () =>
    new Promise<void>((resolve) => {
      if (woken) {
        woken = false;
        return resolve();
      }
      const done = () => {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, idle);
      wakeUp = done;
    });
  const shards = new Map<string, ShardCheckpoint & { iterator?: string }>();

  const passes = (record: StreamRecord) =>
    def.filters.length === 0 ||
    def.filters.some((pattern) => matchesPattern(pattern, lambdaRecord(record, streamArn)));

  const refreshShards = async () => {
    if (streamArn && !shardClosed && Date.now() - refreshedAt < SHARD_REFRESH_MS) return;
    refreshedAt = Date.now();
    shardClosed = false;
    if (!streamArn) {
      const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: def.tableName }));
      streamArn = Table?.LatestStreamArn;
      if (!streamArn) throw new Error(`table ${def.tableName} has no stream`);
    }
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    for (const shard of StreamDescription?.Shards ?? []) {
      const id = shard.ShardId as string;
      if (shards.has(id)) continue;
      const { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: id, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      shards.set(id, {
        ...(ShardIterator ? { iterator: ShardIterator } : {}),
        backlog: [],
        attempts: 0,
        retrying: 0,
        bisect: 1,
      });
    }
  };

  /** One round on one shard: fill the backlog, invoke with a batch, settle it. */
  const pump = async (shardId: string): Promise<boolean> => {
    const shard = shards.get(shardId);
    if (!shard) return false;
    if (shard.backlog.length < def.batchSize && shard.iterator) {
      const out = await streams.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: 1000 }));
      shard.iterator = out.NextShardIterator;
      if (!shard.iterator) shardClosed = true;
      shard.backlog.push(...(out.Records ?? []).filter(passes));
    }
    const batch = nextBatch(shard, def.batchSize);
    if (batch.length === 0) return false;
    let failedAt: number;
    try {
      const result = await options.invoke({ Records: batch.map((r) => lambdaRecord(r, streamArn)) }, trigger);
      failedAt = def.reportBatchItemFailures ? reportedFailure(batch, result) : -1;
    } catch (error) {
      failedAt = 0;
      options.log(`[${trigger}] batch failed: ${(error as Error).message}`);
    }
    const settled = settleBatch(shard, def, batch.length, failedAt, Date.now());
    const attempt = (n: number) =>
      `attempt ${n}${def.maximumRetryAttempts >= 0 ? ` of ${def.maximumRetryAttempts + 1}` : ''}`;
    if (settled.outcome === 'retry') {
      options.log(
        `[${trigger}] record ${settled.from.dynamodb?.SequenceNumber} failed (${attempt(settled.attempt)}); retrying from it`,
      );
    } else if (settled.outcome === 'given-up') {
      const { records, condition, invocations } = settled;
      options.log(
        `[${trigger}] ${records.length} record(s) from ${records[0]?.dynamodb?.SequenceNumber} given up (${attempt(invocations)}); sent to the on-failure destination`,
      );
      if (def.onFailureQueue) {
        await options.sendToQueue(
          def.onFailureQueue,
          JSON.stringify(onFailureMessage(shardId, streamArn, records, condition, invocations)),
        );
      }
    }
    return true;
  };

  const loop = (async () => {
    while (running) {
      let busy = false;
      try {
        await refreshShards();
        for (const id of shards.keys()) {
          while (running && (await pump(id))) busy = true;
        }
      } catch (error) {
        if (running) options.log(`[${trigger}] polling failed: ${(error as Error).message}`);
      }
      if (!busy && running) await idleWait();
    }
  })();

  return {
    wake() {
      if (wakeUp) wakeUp();
      else woken = true;
    },
    async stop() {
      running = false;
      wakeUp?.();
      await loop;
      dynamo.destroy();
      streams.destroy();
    },
  };
}

/**
 * One shard's place in the stream: the records read and not yet settled (the checkpoint
 * is just before the first), and the series of failed invocations at that first record.
 */
export interface ShardCheckpoint {
  backlog: StreamRecord[];
  /** Failed invocations of the current retry series. */
  attempts: number;
  /**
   * How many records the batch under retry holds (0: none is): a failed batch is retried as
   * it was, never with records read after it failed.
   */
  retrying: number;
  /** The next batch is the backlog's first batchSize (or retrying) records divided by this. */
  bisect: number;
}

/** What decides a shard's retries: the mapping's own settings. */
export type RetryPolicy = Pick<
  StreamMappingDefinition,
  'bisectBatchOnError' | 'maximumRetryAttempts' | 'maximumRecordAgeSeconds'
>;

/** What happened to a batch: the checkpoint passed it, it is retried, or it is given up. */
export type Settlement =
  | { outcome: 'checkpointed' }
  | { outcome: 'retry'; from: StreamRecord; attempt: number }
  | {
      outcome: 'given-up';
      records: StreamRecord[];
      condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded';
      invocations: number;
    };

/** The checkpoint moved: the next failure starts a new retry series, with a whole batch. */
function endSeries(shard: ShardCheckpoint): void {
  shard.attempts = 0;
  shard.retrying = 0;
  shard.bisect = 1;
}

/** The records the next invocation gets: from the checkpoint, bisected after failures. */
export function nextBatch(shard: ShardCheckpoint, batchSize: number): StreamRecord[] {
  if (shard.backlog.length === 0) return [];
  const limit = shard.retrying || batchSize;
  const size = Math.max(1, Math.ceil(Math.min(limit, shard.backlog.length) / shard.bisect));
  return shard.backlog.slice(0, size);
}

/**
 * Where a partial batch response says the batch failed: the index to retry from, or -1
 * when it succeeded. As Lambda reads it: the lowest sequence number reported is the
 * checkpoint, and a malformed list or an empty, null or unknown identifier fails the whole
 * batch.
 */
export function reportedFailure(batch: StreamRecord[], result: unknown): number {
  const reported = (result as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures;
  if (reported == null || (Array.isArray(reported) && reported.length === 0)) return -1;
  if (!Array.isArray(reported)) return 0;
  const at = reported.map((f: { itemIdentifier?: unknown } | null) =>
    batch.findIndex((r) => r.dynamodb?.SequenceNumber === f?.itemIdentifier),
  );
  return at.includes(-1) ? 0 : Math.min(...at);
}

/**
 * Settles the batch of `batchLength` records just invoked, `failedAt` being the index it
 * failed at (-1: it succeeded). Only on success, or when the failed records are given up,
 * does the checkpoint pass them: nothing is skipped and nothing overtakes a failed record.
 */
export function settleBatch(
  shard: ShardCheckpoint,
  policy: RetryPolicy,
  batchLength: number,
  failedAt: number,
  nowMs: number,
): Settlement {
  if (failedAt < 0) {
    shard.backlog.splice(0, batchLength);
    endSeries(shard);
    return { outcome: 'checkpointed' };
  }
  if (failedAt > 0) {
    // Everything before the failed record is done: the checkpoint moves up to it, and a new
    // retry series starts there ("bisected at the returned sequence number", in Lambda's
    // words), so one record's failures never use up the retries of a record after it.
    shard.backlog.splice(0, failedAt);
    endSeries(shard);
  }
  // A new series retries the records of the failed batch from the failed one, and no more.
  if (shard.attempts === 0) shard.retrying = batchLength - failedAt;
  shard.attempts++;
  // Bisect on an error and on a reported failure alike, so a poison record ends up alone
  // in its batch before it is given up and the records after it are not given up with it.
  if (policy.bisectBatchOnError && batchLength - failedAt > 1) shard.bisect *= 2;
  const head = shard.backlog[0] as StreamRecord;
  const created = head.dynamodb?.ApproximateCreationDateTime;
  const ageSeconds = created ? (nowMs - new Date(created).getTime()) / 1000 : 0;
  const tooOld = policy.maximumRecordAgeSeconds >= 0 && ageSeconds > policy.maximumRecordAgeSeconds;
  const exhausted =
    tooOld || (policy.maximumRetryAttempts >= 0 && shard.attempts > policy.maximumRetryAttempts);
  if (!exhausted) return { outcome: 'retry', from: head, attempt: shard.attempts };
  const records = shard.backlog.splice(0, Math.max(1, batchLength - failedAt));
  const invocations = shard.attempts;
  endSeries(shard);
  return {
    outcome: 'given-up',
    records,
    condition: tooOld ? 'RecordAgeExceeded' : 'RetryAttemptsExhausted',
    invocations,
  };
}

/** A Streams API record as Lambda hands it to the function. */
function lambdaRecord(record: StreamRecord, streamArn: string | undefined) {
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: REGION,
    dynamodb: {
      ...record.dynamodb,
      ...(record.dynamodb?.ApproximateCreationDateTime
        ? {
            ApproximateCreationDateTime:
              new Date(record.dynamodb.ApproximateCreationDateTime).getTime() / 1000,
          }
        : {}),
    },
    eventSourceARN: streamArn,
  };
}

/** What Lambda sends to a stream mapping's on-failure destination: where the batch is, not its data. */
function onFailureMessage(
  shardId: string,
  streamArn: string | undefined,
  records: StreamRecord[],
  condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded',
  invocations: number,
) {
  return {
    requestContext: { condition, approximateInvokeCount: invocations },
    responseContext: { statusCode: 200, executedVersion: '$LATEST' },
    version: '1.0',
    timestamp: new Date().toISOString(),
    DDBStreamBatchInfo: {
      shardId,
      startSequenceNumber: records[0]?.dynamodb?.SequenceNumber,
      endSequenceNumber: records.at(-1)?.dynamodb?.SequenceNumber,
      batchSize: records.length,
      streamArn,
    },
  };
}
