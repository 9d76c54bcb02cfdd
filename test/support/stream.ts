import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { type ChangeRecord, changeRecordOf, publishChanges } from '../../shared/adapters/change-stream.ts';
import type { EventPublisher, InventoryStore } from '../../shared/domain/ports.ts';

/**
 * Reads a table's change stream on DynamoDB Local through the Streams API, shard by shard,
 * from the start: what the event source mapping does for the publisher function.
 */
export class TableStream {
  readonly #streams: DynamoDBStreamsClient;
  readonly #iterators = new Map<string, string | undefined>();
  #arn?: string;

  constructor(
    readonly client: DynamoDBClient,
    readonly tableName: string,
    endpoint: string,
  ) {
    this.#streams = new DynamoDBStreamsClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  }

  /** Every change recorded since the last call, in stream order per shard. */
  async drain(): Promise<ChangeRecord[]> {
    return (await this.drainRaw()).map((r) => changeRecordOf(r as never));
  }

  /** The same, as the Streams API returns the records (a Lambda stream event's `Records`). */
  async drainRaw(): Promise<Array<{ dynamodb?: Record<string, unknown>; eventName?: string }>> {
    if (!this.#arn) {
      const { Table } = await this.client.send(new DescribeTableCommand({ TableName: this.tableName }));
      this.#arn = Table?.LatestStreamArn;
      if (!this.#arn) throw new Error(`table ${this.tableName} has no stream`);
    }
    const { StreamDescription } = await this.#streams.send(
      new DescribeStreamCommand({ StreamArn: this.#arn }),
    );
    const changes: Array<{ dynamodb?: Record<string, unknown>; eventName?: string }> = [];
    for (const shard of StreamDescription?.Shards ?? []) {
      const id = shard.ShardId as string;
      if (!this.#iterators.has(id)) {
        const { ShardIterator } = await this.#streams.send(
          new GetShardIteratorCommand({
            StreamArn: this.#arn,
            ShardId: id,
            ShardIteratorType: 'TRIM_HORIZON',
          }),
        );
        this.#iterators.set(id, ShardIterator);
      }
      for (let page = 0; page < 100; page++) {
        const iterator = this.#iterators.get(id);
        if (!iterator) break;
        const out = await this.#streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        this.#iterators.set(id, out.NextShardIterator);
        const records = out.Records ?? [];
        changes.push(...(records as Array<{ dynamodb?: Record<string, unknown>; eventName?: string }>));
        if (records.length === 0) break;
      }
    }
    return changes;
  }

  destroy(): void {
    this.#streams.destroy();
  }
}

/** A store whose committed changes reach a publisher through the table's stream. */
export interface StreamedStore extends InventoryStore {
  /** Where the stream's events go from now on (the deps() of the running test). */
  publishTo(publisher: EventPublisher): void;
  /** Publishes whatever the stream holds now. */
  flush(): Promise<void>;
}

const MUTATIONS = new Set(['writeReservation', 'createItem', 'changeStock']);

/**
 * Wraps a store so that after every mutating call, successful or not (a crash after the
 * commit still reaches the stream), the stream is drained through the publisher
 * function's own code into the current publisher.
 */
export function streamedStore(
  store: InventoryStore,
  stream: { drain(): Promise<ChangeRecord[]> },
): StreamedStore {
  let publisher: EventPublisher | undefined;
  let chain = Promise.resolve();
  // Changes not yet published: as the event source mapping does, a failed change and the
  // ones after it are delivered again on the next round.
  let backlog: ChangeRecord[] = [];
  const flush = () => {
    // Serialized, so concurrent writers never publish one change twice or out of order.
    chain = chain.then(async () => {
      backlog.push(...(await stream.drain()));
      // With nobody listening, nothing is being checked: the changes are dropped.
      if (!publisher) backlog = [];
      if (!publisher || backlog.length === 0) return;
      const result = await publishChanges(backlog, publisher);
      const failed =
        result.failedAt === undefined ? -1 : backlog.findIndex((c) => c.sequenceNumber === result.failedAt);
      backlog = failed < 0 ? [] : backlog.slice(failed);
    });
    return chain;
  };
  return new Proxy(store, {
    has(target, property) {
      return property === 'publishTo' || property === 'flush' || Reflect.has(target, property);
    },
    get(target, property, receiver) {
      if (property === 'publishTo') return (p: EventPublisher) => (publisher = p);
      if (property === 'flush') return flush;
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      if (!MUTATIONS.has(String(property))) return value.bind(target);
      return async (...args: unknown[]) => {
        try {
          return await value.apply(target, args);
        } finally {
          await flush();
        }
      };
    },
  }) as StreamedStore;
}
