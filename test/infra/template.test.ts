import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { publishedEvents } from '../../events/index.ts';
import { publishedSchemaFiles } from '../../infra/inventory-service-stack.ts';
import { CONSUMED_EVENTS } from '../../infra/stateful.ts';
import { ROUTE_TABLE, routeKeyOf } from '../../shared/http/route-table.ts';
import { actionsOf, statementsOf, synth } from './stack.ts';

const { template } = synth();

describe('tables', () => {
  it('has the domain and idempotency tables, both with point-in-time recovery', () => {
    const tables = template.findResources('AWS::DynamoDB::Table');
    expect(Object.keys(tables)).toHaveLength(2);
    for (const table of Object.values(tables)) {
      expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    }
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        Match.objectLike({ IndexName: 'gsi1', Projection: { ProjectionType: 'KEYS_ONLY' } }),
        Match.objectLike({ IndexName: 'gsi2', Projection: { ProjectionType: 'ALL' } }),
      ],
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
    });
  });

  it('protects tables from deletion on prod only (unless told otherwise)', () => {
    const prod = synth({ stage: 'prod' }).template.findResources('AWS::DynamoDB::Table');
    for (const table of Object.values(prod)) {
      expect(table.Properties.DeletionProtectionEnabled).toBe(true);
      expect(table.DeletionPolicy).toBe('Retain');
    }
  });
});

describe('functions', () => {
  it('runs every function on nodejs24.x arm64 with active tracing and JSON logs', () => {
    const fns = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(fns).toHaveLength(12);
    for (const fn of fns) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: expect.objectContaining({ LogFormat: 'JSON' }),
      });
    }
  });

  it('gives every function a log group with retention', () => {
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(groups.length).toBeGreaterThanOrEqual(11);
    for (const group of groups) expect(group.Properties.RetentionInDays).toBeGreaterThan(0);
  });

  it('bundles every function under 1 MB', () => {
    const assets = join(synth({}, { bundle: true }).app.outdir);
    const bundles = readdirSync(assets)
      .filter((d) => d.startsWith('asset.'))
      .map((d) => join(assets, d, 'index.mjs'))
      .filter((f) => existsSync(f));
    expect(bundles).toHaveLength(12);
    for (const bundle of bundles) expect(statSync(bundle).size, bundle).toBeLessThan(1024 * 1024);
  });
});

describe('HTTP API', () => {
  it('has every route, with the JWT authorizer and scope on every non-public route', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties);
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(ROUTE_TABLE.map(routeKeyOf).sort());
    for (const route of ROUTE_TABLE) {
      const found = routes.find((r) => r.RouteKey === routeKeyOf(route));
      if (route.scopes.length > 0) {
        expect(found).toMatchObject({ AuthorizationType: 'JWT', AuthorizationScopes: [...route.scopes] });
      } else {
        expect(found?.AuthorizationType ?? 'NONE').toBe('NONE');
      }
    }
  });

  it('has a JWT authorizer and, without an external issuer, a Cognito pool with both scopes', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      Identifier: 'inventory',
      Scopes: [
        Match.objectLike({ ScopeName: 'write' }),
        Match.objectLike({ ScopeName: 'service' }),
        Match.objectLike({ ScopeName: 'admin' }),
        Match.objectLike({ ScopeName: 'premium' }),
      ],
    });
  });

  it('uses an external issuer from context and then creates no user pool', () => {
    const external = synth({
      jwtIssuer: 'https://issuer.example.com',
      jwtAudience: 'inventory-api',
    }).template;
    external.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: { Issuer: 'https://issuer.example.com', Audience: ['inventory-api'] },
    });
    external.resourceCountIs('AWS::Cognito::UserPool', 0);
  });

  it('throttles the stage, more strictly per write route, and writes JSON access logs', () => {
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0]?.Properties;
    expect(stage.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 });
    expect(stage.RouteSettings['POST /api/inventory/reserve']).toEqual({
      ThrottlingRateLimit: 50,
      ThrottlingBurstLimit: 100,
    });
    const format = JSON.parse(stage.AccessLogSettings.Format);
    expect(format).toMatchObject({ requestId: '$context.requestId', sub: '$context.authorizer.claims.sub' });
  });
});

describe('saga wiring', () => {
  const rules = Object.values(template.findResources('AWS::Events::Rule')).map((r) => r.Properties);

  it.each(CONSUMED_EVENTS.map((e) => [e.detailType, e] as const))(
    '%s: rule -> queue with DLQs -> consumer',
    (detailType, event) => {
      const rule = rules.find((r) => r.EventPattern?.['detail-type']?.[0] === detailType);
      expect(rule?.EventPattern).toEqual({ source: [event.source], 'detail-type': [detailType] });
      expect(rule?.Targets[0]).toMatchObject({
        DeadLetterConfig: { Arn: expect.anything() },
        RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
      });
    },
  );

  it('declares queues with SSE, a redrive after 5 receives and visibility >= 6x the consumer timeout', () => {
    const queues = Object.values(template.findResources('AWS::SQS::Queue')).map((q) => q.Properties);
    const consumerQueues = queues.filter((q) => q.RedrivePolicy);
    expect(consumerQueues).toHaveLength(4);
    for (const q of consumerQueues) {
      expect(q.RedrivePolicy.maxReceiveCount).toBe(5);
      expect(q.VisibilityTimeout).toBeGreaterThanOrEqual(60);
    }
    for (const q of queues) expect(q.SqsManagedSseEnabled).toBe(true);
    template.resourcePropertiesCountIs(
      'AWS::SQS::QueuePolicy',
      {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Effect: 'Deny' }),
          ]),
        },
      },
      queues.length,
    );
  });

  it('maps each queue to its consumer with partial batch responses and a maximum concurrency', () => {
    const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'))
      .map((m) => m.Properties)
      // The table stream's mapping is checked in stream.test.ts.
      .filter((p) => !JSON.stringify(p.EventSourceArn).includes('StreamArn'));
    expect(mappings).toHaveLength(4);
    for (const m of mappings) {
      expect(m).toMatchObject({
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: 5 },
        BatchSize: 10,
      });
    }
  });

  it('schedules the expiry sweep every minute and the reconciler hourly, each target with a DLQ', () => {
    const schedules = rules.filter((r) => r.ScheduleExpression);
    expect(schedules.map((s) => s.ScheduleExpression).sort()).toEqual(['rate(1 hour)', 'rate(1 minute)']);
    for (const s of schedules) expect(s.Targets[0].DeadLetterConfig).toBeDefined();
  });

  it('registers the committed schema of every event we publish, and only those, in a schema registry', () => {
    template.resourceCountIs('AWS::EventSchemas::Registry', 1);
    const schemas = Object.values(template.findResources('AWS::EventSchemas::Schema')).map(
      (s) => s.Properties,
    );
    expect(schemas.map((s) => s.SchemaName).sort()).toEqual(
      Object.keys(publishedEvents)
        .map((name) => `inventory-service@${name}`)
        .sort(),
    );
    for (const s of schemas) {
      expect(s.Type).toBe('JSONSchemaDraft4');
      expect(JSON.parse(s.Content)['x-source']).toBe('inventory-service');
    }
    expect(publishedSchemaFiles('/nonexistent/events/schemas')).toEqual([]);
  });

  it('creates a bus unless one is imported by name', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    const imported = synth({ eventBusName: 'bookings' }).template;
    imported.resourceCountIs('AWS::Events::EventBus', 0);
    imported.hasOutput('EventBusName', { Value: 'bookings' });
  });

  it('outputs what clients and CLIs need', () => {
    for (const name of [
      'ApiUrl',
      'TableName',
      'IdempotencyTableName',
      'EventBusName',
      'AlarmTopicArn',
      'QueueUrls',
      'UserPoolId',
      'UserPoolClientId',
      'TokenUrl',
    ]) {
      template.hasOutput(name, {});
    }
    const queueUrls = JSON.stringify(template.findOutputs('QueueUrls'));
    for (const name of [
      'BookingCreatedQueue',
      'BookingCreatedDlq',
      'BookingCreatedTargetDlq',
      'ExpiryScheduleDlq',
    ]) {
      expect(queueUrls).toContain(`"${name}`);
    }
    const external = synth({
      jwtIssuer: 'https://issuer.example.com',
      jwtAudience: 'inventory-api',
    }).template;
    expect(Object.keys(external.findOutputs('*'))).not.toContain('UserPoolId');
  });
});

describe('least privilege', () => {
  const write = [
    'dynamodb:BatchGetItem',
    'dynamodb:BatchWriteItem',
    'dynamodb:ConditionCheckItem',
    'dynamodb:DeleteItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:Query',
    'dynamodb:UpdateItem',
  ];
  const xray = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
  const idempotency = ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
  const sqsConsumer = [
    'sqs:ChangeMessageVisibility',
    'sqs:DeleteMessage',
    'sqs:GetQueueAttributes',
    'sqs:GetQueueUrl',
    'sqs:ReceiveMessage',
  ];
  const unique = (a: string[]) => [...new Set(a)].sort();

  it.each([
    ['StatelessHealth', xray],
    [
      'StatelessInventoryRead',
      unique([...xray, 'dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query']),
    ],
    // No function but the stream publisher puts events (test/infra/stream.test.ts).
    ['StatelessReservations', unique([...xray, ...write, ...idempotency])],
    ['StatelessInventoryAdmin', unique([...xray, ...write])],
    ['StatelessOnBookingCreated', unique([...xray, ...write, ...idempotency, ...sqsConsumer])],
    ['StatelessExpireReservations', unique([...xray, ...write])],
    // Writes the ledger and hold rows (BatchWriteItem only: no reads, no transactions).
    [
      'StatelessPublishChanges',
      unique([
        ...xray,
        'dynamodb:BatchWriteItem',
        'dynamodb:DescribeStream',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:ListStreams',
        'events:PutEvents',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:SendMessage',
      ]),
    ],
    // No Scan and no item writes while repair is off: reads items and their new ledger rows,
    // writes its checkpoints only (test/infra/trust.test.ts, deploy-readiness).
    [
      'StatelessReconcile',
      unique([...xray, 'dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem']),
    ],
  ])('%s holds only the actions it uses', (prefix, expected) => {
    const { actions } = actionsOf(template, prefix);
    expect(unique(actions)).toEqual(unique(expected));
  });

  it('grants table actions only on the domain or idempotency table (and indexes), PutEvents only on our bus', () => {
    const tableIds = Object.keys(template.findResources('AWS::DynamoDB::Table'));
    const busId = Object.keys(template.findResources('AWS::Events::EventBus'))[0];
    for (const fn of Object.keys(template.findResources('AWS::Lambda::Function'))) {
      for (const statement of statementsOf(template, fn)) {
        const actions = [statement.Action].flat();
        const resources = [statement.Resource].flat().map((r) => JSON.stringify(r));
        // ListStreams takes no resource (AWS requires "*"); it names streams, reads none.
        if (actions.length === 1 && actions[0] === 'dynamodb:ListStreams') continue;
        if (actions.some((a) => a.startsWith('dynamodb:'))) {
          expect(
            actions.every((a) => a.startsWith('dynamodb:')),
            fn,
          ).toBe(true);
          for (const r of resources)
            expect(
              tableIds.some((id) => r.includes(`"${id}"`)),
              `${fn} ${r}`,
            ).toBe(true);
        }
        if (actions.includes('events:PutEvents')) {
          expect(actions, fn).toEqual(['events:PutEvents']);
          expect(resources, fn).toEqual([JSON.stringify({ 'Fn::GetAtt': [busId, 'Arn'] })]);
        }
      }
    }
  });

  it('has no wildcard action anywhere', () => {
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
        for (const action of actions) expect(action).not.toMatch(/\*$/);
      }
    }
  });

  it('gives the idempotency table only to functions that use it', () => {
    const idemLogicalId = Object.keys(template.findResources('AWS::DynamoDB::Table')).find((k) =>
      k.includes('Idempotency'),
    );
    const users = Object.keys(template.findResources('AWS::Lambda::Function')).filter((fn) =>
      JSON.stringify(actionsOf(template, fn).resources).includes(String(idemLogicalId)),
    );
    expect(users.map((u) => u.replace(/[A-F0-9]{8}$/, '')).sort()).toEqual(
      [
        'StatelessOnBookingCancelled',
        'StatelessOnBookingCreated',
        'StatelessOnPaymentFailed',
        'StatelessOnPaymentSucceeded',
        'StatelessReservations',
      ].sort(),
    );
  });
});

describe('optional singletons', () => {
  it('reserves one execution for the sweeper and the reconciler only when asked', () => {
    const reserved = (t: ReturnType<typeof synth>['template']) =>
      Object.values(t.findResources('AWS::Lambda::Function')).filter(
        (f) => f.Properties.ReservedConcurrentExecutions === 1,
      ).length;
    expect(reserved(template)).toBe(0);
    expect(reserved(synth({ reservedConcurrency: 'true' }).template)).toBe(2);
  });
});

describe('observability', () => {
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
  const topicId = Object.keys(template.findResources('AWS::SNS::Topic'))[0];
  const queues = template.findResources('AWS::SQS::Queue');
  const dimensionRefs = (alarm: (typeof alarms)[number]) =>
    JSON.stringify(alarm.Dimensions ?? alarm.Metrics ?? []);

  it('sends every alarm to the alarm topic, output as AlarmTopicArn', () => {
    expect(alarms.length).toBeGreaterThan(40);
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
    template.hasOutput('AlarmTopicArn', { Value: { Ref: topicId } });
  });

  it('alarms on the depth of every dead-letter queue and the oldest message of every consumer queue', () => {
    const dlqIds = Object.keys(queues).filter((id) => !queues[id]?.Properties.RedrivePolicy);
    const consumerIds = Object.keys(queues).filter((id) => queues[id]?.Properties.RedrivePolicy);
    expect(dlqIds).toHaveLength(12);
    for (const id of dlqIds) {
      const depth = alarms.filter(
        (a) =>
          a.MetricName === 'ApproximateNumberOfMessagesVisible' &&
          dimensionRefs(a).includes(`"${id}"`) &&
          a.Threshold === 0 &&
          a.ComparisonOperator === 'GreaterThanThreshold',
      );
      expect(depth, id).toHaveLength(1);
    }
    for (const id of consumerIds) {
      expect(
        alarms.filter(
          (a) => a.MetricName === 'ApproximateAgeOfOldestMessage' && dimensionRefs(a).includes(`"${id}"`),
        ),
        id,
      ).toHaveLength(1);
    }
  });

  it('alarms on errors and throttles of every function and failed invocations of every rule', () => {
    for (const id of Object.keys(template.findResources('AWS::Lambda::Function'))) {
      for (const metric of ['Errors', 'Throttles']) {
        expect(
          alarms.filter((a) => a.MetricName === metric && dimensionRefs(a).includes(`"${id}"`)),
          `${id} ${metric}`,
        ).toHaveLength(1);
      }
    }
    for (const id of Object.keys(template.findResources('AWS::Events::Rule'))) {
      expect(
        alarms.filter((a) => a.MetricName === 'FailedInvocations' && dimensionRefs(a).includes(`"${id}"`)),
        id,
      ).toHaveLength(1);
    }
  });

  it('alarms on DynamoDB throttles and system errors of both tables, the API 5xx rate and inventory drift', () => {
    for (const id of Object.keys(template.findResources('AWS::DynamoDB::Table'))) {
      for (const metric of ['ThrottledRequests', 'SystemErrors']) {
        expect(
          alarms.filter(
            (a) => dimensionRefs(a).includes(`"${metric}"`) && dimensionRefs(a).includes(`"${id}"`),
          ),
          `${id} ${metric}`,
        ).toHaveLength(1);
      }
    }
    expect(alarms.filter((a) => dimensionRefs(a).includes('"5xx"'))).toHaveLength(1);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'InventoryService',
      MetricName: 'InventoryDrift',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('has a saga dashboard with the business metrics, DLQ depths and latency percentiles', () => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]?.Properties.DashboardBody);
    for (const metric of [
      'NumberOfMessagesReceived',
      'ReservationsCreated',
      'ReservationsFailed',
      'ReservationsConfirmed',
      'ReservationsReleased',
      'ReservationsExpired',
      'ConfirmationsFailed',
      'UnitsReserved',
      'ApproximateNumberOfMessagesVisible',
      'p50',
      'p90',
      'p99',
    ]) {
      expect(body, metric).toContain(metric);
    }
  });

  it('saves the Logs Insights queries over every function log group', () => {
    const queries = Object.values(template.findResources('AWS::Logs::QueryDefinition')).map(
      (q) => q.Properties,
    );
    expect(queries.map((q) => String(q.Name).split('/').pop()).sort()).toEqual(
      ['all-logs', 'booking-trail', 'dlq-arrivals', 'errors', 'reservation-failures'].sort(),
    );
    for (const q of queries) expect(q.LogGroupNames).toHaveLength(12);
    const trail = queries.find((q) => String(q.Name).endsWith('/booking-trail'));
    expect(trail?.QueryString).toContain('correlationId = ');
    expect(trail?.QueryString).toContain('sort @timestamp asc');
  });
});
