import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { type ChangeRecord, changeRecordOf } from '../shared/adapters/change-stream.ts';

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
