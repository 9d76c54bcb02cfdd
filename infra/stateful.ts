import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, type IEventBus } from 'aws-cdk-lib/aws-events';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BOOKING_SOURCE, PAYMENT_SOURCE } from '../events/envelope.ts';
import {
  DUE_INDEX,
  IDEMPOTENCY_KEYS,
  ITEMS_INDEX,
  STREAM_VIEW_TYPE,
  TABLE_KEYS,
} from '../shared/adapters/table-schema.ts';
import { DLQ_RETENTION_SECONDS, QUEUE_RETENTION_SECONDS } from '../shared/domain/retention.ts';
import type { ServiceConfig } from './config.ts';
import { retainsData } from './removal-policy.ts';

/**
 * The saga events we consume, each with its own rule, queue and DLQs. `source` is the
 * producer's default; the rules match `config.producerSources[producer]` (CDK context).
 */
export const CONSUMED_EVENTS = [
  { detailType: 'BookingCreated', producer: 'booking', source: BOOKING_SOURCE, entry: 'on-booking-created' },
  {
    detailType: 'PaymentSucceeded',
    producer: 'payment',
    source: PAYMENT_SOURCE,
    entry: 'on-payment-succeeded',
  },
  { detailType: 'PaymentFailed', producer: 'payment', source: PAYMENT_SOURCE, entry: 'on-payment-failed' },
  {
    detailType: 'BookingCancelled',
    producer: 'booking',
    source: BOOKING_SOURCE,
    entry: 'on-booking-cancelled',
  },
] as const;

export type ConsumedEvent = (typeof CONSUMED_EVENTS)[number];

/** Visibility timeout is at least six times the consumer's timeout (AWS guidance for SQS sources). */
export const CONSUMER_TIMEOUT = Duration.seconds(10);
export const MAX_RECEIVE_COUNT = 5;

export interface ConsumerQueues {
  event: ConsumedEvent;
  queue: Queue;
  dlq: Queue;
  /** Where EventBridge puts events it could not deliver to `queue`. */
  targetDlq: Queue;
}

/**
 * Everything that holds data: the domain table, the idempotency table, the bus and the
 * consumer queues with their dead-letter queues. Kept apart from the stateless resources
 * so its removal policies and protections are decided in one place.
 */
export class Stateful extends Construct {
  readonly table: Table;
  readonly idempotencyTable: Table;
  readonly bus: IEventBus;
  readonly consumerQueues: ConsumerQueues[];
  /** The on-failure destination of the change-stream publisher. */
  readonly publisherDlq: Queue;
  /** The on-failure destination of the waitlist server (a batch of item changes it gave up on). */
  readonly waitlistServerDlq: Queue;

  constructor(scope: Construct, id: string, config: ServiceConfig) {
    super(scope, id);
    const removalPolicy = retainsData(config) ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const string = AttributeType.STRING;

    this.table = new Table(this, 'InventoryTable', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: string },
      sortKey: { name: TABLE_KEYS.sortKey, type: string },
      billingMode: BillingMode.PAY_PER_REQUEST,
      // Finished reservations, tombstones and recorded decisions expire (shared/domain/retention.ts).
      timeToLiveAttribute: TABLE_KEYS.ttlAttribute,
      // The transactional outbox: every committed decision reaches the publisher function.
      stream: StreamViewType[STREAM_VIEW_TYPE],
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: config.deletionProtection,
      removalPolicy,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: ITEMS_INDEX.indexName,
      partitionKey: { name: ITEMS_INDEX.partitionKey, type: string },
      sortKey: { name: ITEMS_INDEX.sortKey, type: string },
      projectionType: ProjectionType.KEYS_ONLY,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: DUE_INDEX.indexName,
      partitionKey: { name: DUE_INDEX.partitionKey, type: string },
      sortKey: { name: DUE_INDEX.sortKey, type: string },
      projectionType: ProjectionType.ALL,
    });

    this.idempotencyTable = new Table(this, 'IdempotencyTable', {
      partitionKey: { name: IDEMPOTENCY_KEYS.partitionKey, type: string },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: IDEMPOTENCY_KEYS.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: config.deletionProtection,
      removalPolicy,
    });

    this.bus = config.eventBusName
      ? EventBus.fromEventBusName(this, 'ImportedBus', config.eventBusName)
      : new EventBus(this, 'Bus', { eventBusName: `inventory-${config.stage}` });

    const queueDefaults = { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true } as const;
    this.consumerQueues = CONSUMED_EVENTS.map((event) => {
      const dlq = new Queue(this, `${event.detailType}Dlq`, {
        ...queueDefaults,
        retentionPeriod: Duration.seconds(DLQ_RETENTION_SECONDS),
      });
      const queue = new Queue(this, `${event.detailType}Queue`, {
        ...queueDefaults,
        visibilityTimeout: Duration.seconds(CONSUMER_TIMEOUT.toSeconds() * 6),
        retentionPeriod: Duration.seconds(QUEUE_RETENTION_SECONDS),
        deadLetterQueue: { queue: dlq, maxReceiveCount: MAX_RECEIVE_COUNT },
      });
      const targetDlq = new Queue(this, `${event.detailType}TargetDlq`, {
        ...queueDefaults,
        retentionPeriod: Duration.seconds(DLQ_RETENTION_SECONDS),
      });
      return { event, queue, dlq, targetDlq };
    });
    // Where the stream's event source mapping leaves a batch it gave up on (its shard and
    // sequence numbers, not the data): `npm run dlq -- redrive` re-reads those records.
    this.publisherDlq = new Queue(this, 'PublisherDlq', {
      ...queueDefaults,
      retentionPeriod: Duration.seconds(DLQ_RETENTION_SECONDS),
    });
    this.waitlistServerDlq = new Queue(this, 'WaitlistServerDlq', {
      ...queueDefaults,
      retentionPeriod: Duration.seconds(DLQ_RETENTION_SECONDS),
    });
  }
}
