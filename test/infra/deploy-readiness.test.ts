import { describe, expect, it } from 'vitest';
import { TABLE_KEYS } from '../../shared/adapters/table-schema.ts';
import { FINISHED_ROW_RETENTION_SECONDS, LATEST_DELIVERY_SECONDS } from '../../shared/domain/retention.ts';
import { type CfnTemplate, deployReadiness, RULES } from './deploy-readiness.ts';
import { synth } from './stack.ts';

const SHAPES: [string, Record<string, string>][] = [
  ['dev with Cognito', {}],
  [
    'prod with an external issuer and an imported bus',
    { stage: 'prod', jwtIssuer: 'https://issuer.example.com', jwtAudience: 'api', eventBusName: 'bookings' },
  ],
  ['dev with reserved concurrency', { reservedConcurrency: 'true' }],
  ['LocalStack shape', { target: 'localstack', jwtIssuer: 'https://issuer.example.com', jwtAudience: 'api' }],
];

/** No bundling: these rules read the template only (template.test.ts checks the bundles). */
const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };
const json = (context: Record<string, string> = {}) =>
  structuredClone(synth({ ...context, ...NO_BUNDLING }).template.toJSON()) as CfnTemplate;
const idOf = (t: CfnTemplate, type: string, match: (id: string) => boolean = () => true) => {
  const id = Object.keys(t.Resources).find((k) => t.Resources[k]?.Type === type && match(k));
  if (!id) throw new Error(`no ${type}`);
  return id;
};

describe.each(SHAPES)('deploy readiness of %s', (_name, context) => {
  it('breaks no cross-resource rule', () => {
    expect(deployReadiness(json(context), { stage: context.stage ?? 'dev' })).toEqual([]);
  });
});

/** Each rule catches the mistake it exists for, on an otherwise healthy template. */
describe('each rule catches its mistake', () => {
  const dev = { stage: 'dev' };

  it('referencesResolve: a Ref to a missing resource', () => {
    const t = json();
    const alarm = idOf(t, 'AWS::CloudWatch::Alarm');
    (t.Resources[alarm]?.Properties as { AlarmActions: unknown[] }).AlarmActions = [{ Ref: 'Gone' }];
    expect(RULES.referencesResolve?.(t, dev)).toEqual([`${alarm} Ref: Gone does not exist`]);
  });

  it('routeSettingsWaitForRoutes: a stage that does not wait for a route in its settings, and an unknown key', () => {
    const t = json();
    const stageId = idOf(t, 'AWS::ApiGatewayV2::Stage');
    const stage = t.Resources[stageId];
    if (!stage) throw new Error('no stage');
    stage.DependsOn = [];
    (stage.Properties?.RouteSettings as Record<string, unknown>)['DELETE /nowhere'] = {};
    const findings = RULES.routeSettingsWaitForRoutes?.(t, dev) ?? [];
    expect(findings.filter((f) => f.includes('does not DependsOn'))).toHaveLength(5);
    expect(findings).toContain(`${stageId}: RouteSettings key "DELETE /nowhere" is not a route of its API`);
  });

  it('topicPoliciesLetAlarmsPublish: the enforceSSL policy alone (deny only)', () => {
    const t = json();
    const policyId = idOf(t, 'AWS::SNS::TopicPolicy');
    const doc = t.Resources[policyId]?.Properties?.PolicyDocument as { Statement: { Effect: string }[] };
    doc.Statement = doc.Statement.filter((s) => s.Effect === 'Deny');
    const findings = RULES.topicPoliciesLetAlarmsPublish?.(t, dev) ?? [];
    expect(findings).toHaveLength(2);
    expect(findings[0]).toContain('only Deny statements');
    expect(findings[1]).toContain('cloudwatch.amazonaws.com');
  });

  it('metricDimensionsExist: a custom-bus rule alarm with RuleName only', () => {
    const t = json();
    const alarmId = idOf(t, 'AWS::CloudWatch::Alarm', (id) => id.includes('BookingCreatedFailedInvocations'));
    const props = t.Resources[alarmId]?.Properties as { Dimensions: { Name: string }[] };
    props.Dimensions = props.Dimensions.filter((d) => d.Name === 'RuleName');
    expect(RULES.metricDimensionsExist?.(t, dev)).toEqual([
      `${alarmId} AWS/Events FailedInvocations: dimensions [RuleName], expected [EventBusName, RuleName]`,
    ]);
  });

  it('logGroupsExpire: a log group without retention', () => {
    const t = json();
    const id = idOf(t, 'AWS::Logs::LogGroup');
    delete t.Resources[id]?.Properties?.RetentionInDays;
    expect(RULES.logGroupsExpire?.(t, dev)).toEqual([`${id}: no RetentionInDays`]);
  });

  it('removalPoliciesFollowStage: a user pool retained in dev, a log group deleted in prod', () => {
    const t = json();
    const pool = idOf(t, 'AWS::Cognito::UserPool');
    const r = t.Resources[pool];
    if (r) r.DeletionPolicy = 'Retain';
    expect(RULES.removalPoliciesFollowStage?.(t, dev)).toEqual([
      `${pool} (AWS::Cognito::UserPool): DeletionPolicy Retain, expected Delete on dev`,
    ]);
    const prodContext = {
      stage: 'prod',
      jwtIssuer: 'https://issuer.example.com',
      jwtAudience: 'api',
      eventBusName: 'bookings',
    };
    const prod = json(prodContext);
    const group = idOf(prod, 'AWS::Logs::LogGroup');
    const g = prod.Resources[group];
    if (g) g.DeletionPolicy = 'Delete';
    expect(RULES.removalPoliciesFollowStage?.(prod, { stage: 'prod' })).toHaveLength(1);
  });

  it('schedulesFitReservedConcurrency: a one-minute sweeper with a 60 s timeout and one execution', () => {
    const t = json({ reservedConcurrency: 'true' });
    const fn = idOf(t, 'AWS::Lambda::Function', (id) => id.includes('ExpireReservations'));
    const props = t.Resources[fn]?.Properties;
    if (props) props.Timeout = 60;
    expect(RULES.schedulesFitReservedConcurrency?.(t, dev)).toEqual([
      `${fn}: runs every 60 s for up to 60 s with 1 reserved: needs 2, throttles itself`,
    ]);
  });

  it('grantedTableOperationsAlarmed: a granted Scan whose throttling is not alarmed', () => {
    const t = json();
    const table = idOf(t, 'AWS::DynamoDB::Table', (id) => id.includes('InventoryTable'));
    for (const r of Object.values(t.Resources)) {
      for (const m of (r.Properties?.Metrics as { MetricStat?: { Metric: { Dimensions: unknown[] } } }[]) ??
        []) {
        const dims = JSON.stringify(m.MetricStat?.Metric.Dimensions ?? []);
        if (dims.includes('"Scan"') && dims.includes(table)) {
          (m.MetricStat as { Metric: { Dimensions: { Name: string; Value: unknown }[] } }).Metric.Dimensions =
            [
              { Name: 'TableName', Value: { Ref: table } },
              { Name: 'Operation', Value: 'GetItem' },
            ];
        }
      }
    }
    const policy = idOf(t, 'AWS::IAM::Policy');
    const doc = t.Resources[policy]?.Properties?.PolicyDocument as { Statement: unknown[] };
    doc.Statement.push({
      Effect: 'Allow',
      Action: 'dynamodb:Scan',
      Resource: { 'Fn::GetAtt': [table, 'Arn'] },
    });
    expect(RULES.grantedTableOperationsAlarmed?.(t, dev)).toEqual([
      `${table}: Scan is granted but its throttling is not alarmed`,
    ]);
  });

  it('queuesOutlastConsumers: a consumer timeout above its queue visibility', () => {
    const t = json();
    const fn = idOf(t, 'AWS::Lambda::Function', (id) => id.includes('OnBookingCreated'));
    const props = t.Resources[fn]?.Properties;
    if (props) props.Timeout = 900;
    expect(RULES.queuesOutlastConsumers?.(t, dev)).toHaveLength(1);
  });
});

/** The items, each as the template shows it. */
describe('deployable for real', () => {
  const t = json();

  it('the stage depends on every route named in its RouteSettings', () => {
    const stage = t.Resources[idOf(t, 'AWS::ApiGatewayV2::Stage')];
    const keys = Object.keys(stage?.Properties?.RouteSettings as object);
    expect(keys).toHaveLength(5);
    for (const key of keys) {
      const route = Object.entries(t.Resources).find(
        ([, r]) => r.Type === 'AWS::ApiGatewayV2::Route' && r.Properties?.RouteKey === key,
      );
      expect(stage?.DependsOn, key).toContain(route?.[0]);
    }
  });

  it('the alarm topic policy allows cloudwatch.amazonaws.com sns:Publish for this account’s alarms', () => {
    const topic = idOf(t, 'AWS::SNS::Topic');
    const policy = t.Resources[idOf(t, 'AWS::SNS::TopicPolicy')]?.Properties;
    expect(policy?.Topics).toEqual([{ Ref: topic }]);
    const statements = (policy?.PolicyDocument as { Statement: Record<string, unknown>[] } | undefined)
      ?.Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: topic },
        Condition: {
          StringEquals: { 'aws:SourceAccount': '123456789012' },
          ArnLike: {
            'aws:SourceArn': {
              'Fn::Join': [
                '',
                ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:us-east-1:123456789012:alarm:*'],
              ],
            },
          },
        },
      }),
    );
    // The TLS-only deny stays.
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('custom-bus rule alarms carry EventBusName + RuleName; schedule (default bus) alarms RuleName only', () => {
    const bus = idOf(t, 'AWS::Events::EventBus');
    const alarms = Object.values(t.Resources).filter(
      (r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties?.MetricName === 'FailedInvocations',
    );
    expect(alarms).toHaveLength(6);
    const names = alarms.map((a) =>
      ((a.Properties?.Dimensions ?? []) as { Name: string }[]).map((d) => d.Name).sort(),
    );
    expect(names.filter((n) => n.join() === 'EventBusName,RuleName')).toHaveLength(4);
    expect(names.filter((n) => n.join() === 'RuleName')).toHaveLength(2);
    for (const a of alarms) {
      const dims = a.Properties?.Dimensions as { Name: string; Value: unknown }[];
      const busDim = dims.find((d) => d.Name === 'EventBusName');
      if (busDim) expect(busDim.Value).toEqual({ Ref: bus });
    }
    const imported = json({ eventBusName: 'bookings' });
    const importedBus = Object.values(imported.Resources).flatMap((r) =>
      r.Properties?.MetricName === 'FailedInvocations'
        ? (r.Properties.Dimensions as { Name: string; Value: unknown }[]).filter(
            (d) => d.Name === 'EventBusName',
          )
        : [],
    );
    expect(importedBus.map((d) => d.Value)).toEqual(['bookings', 'bookings', 'bookings', 'bookings']);
  });

  it('the sweeper with reserved concurrency ends before its next run is due', () => {
    const reserved = json({ reservedConcurrency: 'true' });
    const fn =
      reserved.Resources[idOf(reserved, 'AWS::Lambda::Function', (id) => id.includes('ExpireReservations'))];
    expect(fn?.Properties).toMatchObject({ ReservedConcurrentExecutions: 1, Timeout: 45 });
  });

  it('removal policies follow the stage: user pool, KMS key and every log group go with a dev stack, all stay in prod', () => {
    for (const type of [
      'AWS::Cognito::UserPool',
      'AWS::KMS::Key',
      'AWS::Logs::LogGroup',
      'AWS::DynamoDB::Table',
    ]) {
      for (const r of Object.values(t.Resources).filter((x) => x.Type === type)) {
        expect(r.DeletionPolicy, type).toBe('Delete');
      }
    }
    const prod = json({ stage: 'prod' });
    for (const type of [
      'AWS::Cognito::UserPool',
      'AWS::KMS::Key',
      'AWS::Logs::LogGroup',
      'AWS::DynamoDB::Table',
    ]) {
      const found = Object.values(prod.Resources).filter((x) => x.Type === type);
      expect(found.length, type).toBeGreaterThan(0);
      for (const r of found) expect(r.DeletionPolicy, type).toBe('Retain');
    }
  });

  it('lets the reconciler put its checkpoints (AUDIT# keys) even without repair rights, and never Scan', () => {
    const fn = idOf(t, 'AWS::Lambda::Function', (id) => id.startsWith('StatelessReconcile'));
    const role = (t.Resources[fn]?.Properties?.Role as { 'Fn::GetAtt': string[] } | undefined)?.[
      'Fn::GetAtt'
    ][0];
    const statements = Object.values(t.Resources)
      .filter(
        (r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties?.Roles).includes(`"${role}"`),
      )
      .flatMap(
        (r) =>
          (r.Properties?.PolicyDocument as { Statement: Record<string, unknown>[] } | undefined)?.Statement ??
          [],
      );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: 'dynamodb:PutItem',
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['AUDIT#*'] } },
      }),
    );
    expect(JSON.stringify(statements)).not.toContain('dynamodb:Scan');
  });

  it('alarms on Scan throttling of the inventory table', () => {
    const table = idOf(t, 'AWS::DynamoDB::Table', (id) => id.includes('InventoryTable'));
    const scan = Object.values(t.Resources).filter(
      (r) =>
        r.Type === 'AWS::CloudWatch::Alarm' &&
        JSON.stringify(r.Properties?.Metrics ?? []).includes('"ThrottledRequests"') &&
        JSON.stringify(r.Properties?.Metrics ?? []).includes('"Scan"') &&
        JSON.stringify(r.Properties?.Metrics ?? []).includes(table),
    );
    expect(scan).toHaveLength(1);
  });

  it('expires finished rows of the inventory table by TTL, longer than any late delivery', () => {
    const table = t.Resources[idOf(t, 'AWS::DynamoDB::Table', (id) => id.includes('InventoryTable'))];
    expect(table?.Properties?.TimeToLiveSpecification).toEqual({
      AttributeName: TABLE_KEYS.ttlAttribute,
      Enabled: true,
    });
    expect(FINISHED_ROW_RETENTION_SECONDS).toBeGreaterThan(LATEST_DELIVERY_SECONDS);
    // The queues the latest delivery is computed from are the ones deployed.
    const retention = Object.values(t.Resources)
      .filter((r) => r.Type === 'AWS::SQS::Queue')
      .map((r) => Number(r.Properties?.MessageRetentionPeriod));
    expect(Math.max(...retention) * 2 + Math.min(...retention) + 86_400).toBe(LATEST_DELIVERY_SECONDS);
  });

  it('the LocalStack shape has no Cognito pool and no schema registry, and needs an external issuer', () => {
    const local = json({ target: 'localstack', jwtIssuer: 'https://issuer.example.com', jwtAudience: 'api' });
    const types = new Set(Object.values(local.Resources).map((r) => r.Type));
    expect(types.has('AWS::Cognito::UserPool')).toBe(false);
    expect(types.has('AWS::EventSchemas::Registry')).toBe(false);
    expect(types.has('AWS::EventSchemas::Schema')).toBe(false);
    expect(() => synth({ target: 'localstack', ...NO_BUNDLING })).toThrow(
      /target=localstack needs jwtIssuer/,
    );
  });
});
