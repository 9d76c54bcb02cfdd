import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { type ILogGroup, QueryDefinition, QueryString } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ServiceConfig } from './config.ts';
import type { Stateful } from './stateful.ts';
import type { Stateless } from './stateless.ts';

const NAMESPACE = 'InventoryService';
const SERVICE_DIMENSION = { service: 'inventory-service' };

/** A business metric as Powertools Metrics emits it (namespace, `service` dimension). */
export const businessMetric = (metricName: string, extra: Record<string, string> = {}, statistic = 'Sum') =>
  new Metric({
    namespace: NAMESPACE,
    metricName,
    dimensionsMap: { ...SERVICE_DIMENSION, ...extra },
    statistic,
    period: Duration.minutes(5),
  });

/**
 * The operations our functions send to DynamoDB (CloudWatch's `Operation` dimension); the
 * deploy-readiness check asserts every granted table action is among them.
 */
export const TABLE_OPERATIONS = [
  'GetItem',
  'Query',
  'Scan',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'TransactWriteItems',
  'BatchGetItem',
  'BatchWriteItem',
];

/** A per-operation DynamoDB metric summed over every operation we use. */
function sumOverOperations(tableName: string, metricName: string): MathExpression {
  return new MathExpression({
    expression: 'SUM(METRICS())',
    usingMetrics: Object.fromEntries(
      TABLE_OPERATIONS.map((operation) => [
        `m${operation}`,
        new Metric({
          namespace: 'AWS/DynamoDB',
          metricName,
          dimensionsMap: { TableName: tableName, Operation: operation },
          statistic: 'Sum',
          period: Duration.minutes(5),
        }),
      ]),
    ),
    period: Duration.minutes(5),
  });
}

/**
 * Alarms (to one SNS topic), the saga dashboard and the saved Logs Insights queries.
 * Every alarm's meaning and response is in docs/runbook.md.
 */
export class Observability extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, config: ServiceConfig, stateful: Stateful, stateless: Stateless) {
    super(scope, id);
    // CloudWatch can only publish to an encrypted topic whose customer managed key lets it.
    const key = new Key(this, 'AlarmTopicKey', {
      enableKeyRotation: true,
      description: 'Alarm topic encryption',
    });
    // Only for alarms of this account (confused-deputy guard).
    const stack = Stack.of(this);
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*`,
          },
        },
      }),
    );
    this.topic = new Topic(this, 'AlarmTopic', { masterKey: key, enforceSSL: true });
    // enforceSSL writes a topic policy, which replaces SNS's default one: without this
    // statement nothing lets CloudWatch publish and every alarm is silent. Only alarms of
    // this account and region (confused-deputy conditions).
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarms',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    if (config.alarmEmail) this.topic.addSubscription(new EmailSubscription(config.alarmEmail));
    const action = new SnsAction(this.topic);
    const alarm = (alarmId: string, props: ConstructorParameters<typeof Alarm>[2]) => {
      const created = new Alarm(this, alarmId, {
        treatMissingData: TreatMissingData.NOT_BREACHING,
        ...props,
      });
      created.addAlarmAction(action);
      this.alarms.push(created);
      return created;
    };

    const dlqs: { name: string; queue: Queue }[] = [...stateless.scheduleDlqs];
    for (const { event, queue, dlq, targetDlq } of stateful.consumerQueues) {
      dlqs.push(
        { name: `${event.detailType}Dlq`, queue: dlq },
        { name: `${event.detailType}TargetDlq`, queue: targetDlq },
      );
      alarm(`${event.detailType}QueueOldestMessageAge`, {
        alarmDescription: `${event.detailType} queue: oldest message older than 5 minutes (runbook: oldest message)`,
        metric: queue.metricApproximateAgeOfOldestMessage({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
        threshold: 300,
        evaluationPeriods: 3,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      });
    }
    dlqs.push(
      { name: 'PublisherDlq', queue: stateful.publisherDlq },
      { name: 'WaitlistServerDlq', queue: stateful.waitlistServerDlq },
    );
    // The change stream falling behind means events are late, or waitlisted bookings wait
    // for units already freed (nothing is lost before 24 h).
    for (const [name, fn] of [
      ['Publisher', 'publish-changes'],
      ['WaitlistServer', 'serve-waitlist'],
    ] as const) {
      const consumer = stateless.functions[fn];
      if (!consumer) continue;
      alarm(`${name}IteratorAge`, {
        alarmDescription: `The change-stream ${fn} function is more than 5 minutes behind (runbook: publisher)`,
        metric: consumer.metric('IteratorAge', { period: Duration.minutes(1), statistic: 'Maximum' }),
        threshold: 300_000,
        evaluationPeriods: 3,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      });
    }
    for (const { name, queue } of dlqs) {
      alarm(`${name}Depth`, {
        alarmDescription: `${name} has messages (runbook: dead-letter queue)`,
        metric: queue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      });
    }
    for (const [name, fn] of Object.entries(stateless.functions)) {
      alarm(`${name}Errors`, {
        alarmDescription: `${name}: errors (runbook: Lambda errors)`,
        metric: fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      });
      alarm(`${name}Throttles`, {
        alarmDescription: `${name}: throttles (runbook: Lambda throttles)`,
        metric: fn.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      });
    }
    for (const { name, rule, eventBus } of stateless.rules) {
      alarm(`${name}FailedInvocations`, {
        alarmDescription: `Rule ${name}: EventBridge failed to deliver (runbook: failed invocations)`,
        metric: new Metric({
          namespace: 'AWS/Events',
          metricName: 'FailedInvocations',
          // Rules on a custom bus report under EventBusName + RuleName; RuleName alone is the default bus.
          dimensionsMap: isCustomBus(eventBus)
            ? { EventBusName: eventBus.eventBusName, RuleName: rule.ruleName }
            : { RuleName: rule.ruleName },
          statistic: 'Sum',
          period: Duration.minutes(5),
        }),
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      });
    }
    for (const [name, table] of [
      ['InventoryTable', stateful.table],
      ['IdempotencyTable', stateful.idempotencyTable],
    ] as const) {
      for (const [metricName, what] of [
        ['ThrottledRequests', 'throttled requests'],
        ['SystemErrors', 'system errors'],
      ] as const) {
        alarm(`${name}${metricName}`, {
          alarmDescription: `${name}: ${what} (runbook: DynamoDB)`,
          metric: sumOverOperations(table.tableName, metricName),
          threshold: 0,
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        });
      }
    }
    const apiMetric = (metricName: string) =>
      new Metric({
        namespace: 'AWS/ApiGateway',
        metricName,
        dimensionsMap: { ApiId: stateless.api.apiId, Stage: '$default' },
        statistic: 'Sum',
        period: Duration.minutes(5),
      });
    alarm('Api5xxRate', {
      alarmDescription: 'More than 1% of API requests answered 5xx (runbook: API 5xx)',
      metric: new MathExpression({
        expression: 'IF(requests > 0, 100 * errors / requests, 0)',
        usingMetrics: { errors: apiMetric('5xx'), requests: apiMetric('Count') },
        period: Duration.minutes(5),
      }),
      threshold: 1,
      evaluationPeriods: 2,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    alarm('InventoryDrift', {
      alarmDescription:
        'The reconciler found stock counters that disagree with reservations (runbook: drift)',
      metric: businessMetric('InventoryDrift', {}, 'Maximum').with({ period: Duration.hours(1) }),
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    });

    this.#dashboard(config, stateful, stateless, dlqs);
    this.#queries(stateless);
  }

  #dashboard(
    config: ServiceConfig,
    stateful: Stateful,
    stateless: Stateless,
    dlqs: { name: string; queue: Queue }[],
  ) {
    const dashboard = new Dashboard(this, 'Dashboard', { dashboardName: `inventory-${config.stage}-saga` });
    const width = 12;
    dashboard.addWidgets(
      new TextWidget({
        markdown:
          '# Inventory saga\nEvents in → reservations → confirmations / releases / expiries. Runbook: docs/runbook.md',
        width: 24,
        height: 2,
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Events in (messages received per queue)',
        width,
        left: stateful.consumerQueues.map(({ event, queue }) =>
          queue.metricNumberOfMessagesReceived({ label: event.detailType, period: Duration.minutes(1) }),
        ),
      }),
      new GraphWidget({
        title: 'Reservations by outcome',
        width,
        left: [
          businessMetric('ReservationsCreated'),
          businessMetric('ReservationsConfirmed'),
          ...['INSUFFICIENT_INVENTORY', 'ITEM_NOT_FOUND', 'BOOKING_CONFLICT'].map((reason) =>
            businessMetric('ReservationsFailed', { reason }).with({ label: `failed: ${reason}` }),
          ),
          businessMetric('ConfirmationsFailed'),
        ],
        right: [businessMetric('UnitsReserved')],
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Releases by reason, and expiries',
        width,
        left: [
          ...['PAYMENT_FAILED', 'CANCELLED', 'MANUAL'].map((reason) =>
            businessMetric('ReservationsReleased', { reason }).with({ label: `released: ${reason}` }),
          ),
          businessMetric('ReservationsExpired'),
        ],
      }),
      new GraphWidget({
        title: 'Dead-letter queue depths',
        width,
        left: dlqs.map(({ name, queue }) =>
          queue.metricApproximateNumberOfMessagesVisible({
            label: name,
            period: Duration.minutes(1),
            statistic: 'Maximum',
          }),
        ),
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Function latency p50 / p90 / p99 (ms)',
        width: 24,
        left: Object.entries(stateless.functions).flatMap(([name, fn]) =>
          ['p50', 'p90', 'p99'].map((statistic) =>
            fn.metricDuration({ statistic, label: `${name} ${statistic}`, period: Duration.minutes(5) }),
          ),
        ),
      }),
    );
  }

  #queries(stateless: Stateless) {
    const logGroups = Object.values(stateless.functions).map((fn) => fn.logGroup as ILogGroup);
    const prefix = `inventory-${Stack.of(this).stackName}`;
    const query = (id: string, name: string, queryString: QueryString) =>
      new QueryDefinition(this, id, { queryDefinitionName: `${prefix}/${name}`, queryString, logGroups });
    const fields = [
      '@timestamp',
      'level',
      'service',
      'function_name',
      'message',
      'correlationId',
      'bookingId',
      'eventId',
    ];
    query('AllLogsQuery', 'all-logs', new QueryString({ fields, sort: '@timestamp desc', limit: 200 }));
    query(
      'BookingTrailQuery',
      'booking-trail',
      new QueryString({
        fields,
        filterStatements: [
          'correlationId = "REPLACE_WITH_CORRELATION_ID" or bookingId = "REPLACE_WITH_BOOKING_ID"',
        ],
        sort: '@timestamp asc',
        limit: 1000,
      }),
    );
    query(
      'ErrorsQuery',
      'errors',
      new QueryString({
        fields: [...fields, 'error.message'],
        filterStatements: ['level = "ERROR"'],
        sort: '@timestamp desc',
        limit: 200,
      }),
    );
    query(
      'ReservationFailuresQuery',
      'reservation-failures',
      new QueryString({
        fields: [...fields, 'outcome', 'code'],
        filterStatements: [
          'outcome like /reservation-failed|confirmation-failed/ or code = "INSUFFICIENT_INVENTORY"',
        ],
        sort: '@timestamp desc',
        limit: 200,
      }),
    );
    query(
      'DlqArrivalsQuery',
      'dlq-arrivals',
      new QueryString({
        fields: [...fields, 'messageId', 'issues'],
        filterStatements: ['message = "Malformed message" or (level = "ERROR" and ispresent(messageId))'],
        sort: '@timestamp desc',
        limit: 200,
      }),
    );
  }
}

const isCustomBus = (bus: IEventBus | undefined): bus is IEventBus =>
  bus !== undefined && bus.eventBusName !== 'default';
