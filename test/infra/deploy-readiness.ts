/**
 * Deploy-readiness: rules that CloudFormation and the services enforce only at deploy time
 * (or that fail silently after it), checked on the synthesized template offline. cdk-nag
 * checks each resource alone; these check resources against each other. Each rule returns
 * findings as text; the test asserts there are none and that each rule catches a broken
 * template. What only a real deployment can show is listed in the README.
 */

import { STATEFUL_TYPES } from '../../infra/removal-policy.ts';

type Json = Record<string, unknown>;
interface Resource {
  Type: string;
  Properties?: Json;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}
export interface CfnTemplate {
  Resources: Record<string, Resource>;
  Parameters?: Record<string, unknown>;
  Conditions?: Record<string, unknown>;
  Outputs?: Record<string, unknown>;
}

export type Rule = (t: CfnTemplate, context: { stage: string }) => string[];

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const refOf = (v: unknown): string | undefined =>
  v && typeof v === 'object' && 'Ref' in v ? String((v as { Ref: unknown }).Ref) : undefined;
const getAttOf = (v: unknown): [string, string] | undefined => {
  if (!v || typeof v !== 'object' || !('Fn::GetAtt' in v)) return undefined;
  const att = (v as { 'Fn::GetAtt': unknown })['Fn::GetAtt'];
  if (Array.isArray(att)) return [String(att[0]), String(att[1])];
  const [id, ...rest] = String(att).split('.');
  return [String(id), rest.join('.')];
};
const byType = (t: CfnTemplate, type: string) =>
  Object.entries(t.Resources).filter(([, r]) => r.Type === type) as [string, Resource][];
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Every Ref, Fn::GetAtt, ${…} in Fn::Sub and DependsOn names something that exists. */
export const referencesResolve: Rule = (t) => {
  const known = new Set([...Object.keys(t.Resources), ...Object.keys(t.Parameters ?? {})]);
  const findings: string[] = [];
  const check = (id: string, where: string) => {
    if (!id.startsWith('AWS::') && !known.has(id)) findings.push(`${where}: ${id} does not exist`);
  };
  const walk = (v: unknown, where: string): void => {
    if (Array.isArray(v)) {
      for (const x of v) walk(x, where);
      return;
    }
    if (!v || typeof v !== 'object') return;
    const ref = refOf(v);
    if (ref !== undefined) check(ref, `${where} Ref`);
    const att = getAttOf(v);
    if (att) check(att[0], `${where} Fn::GetAtt`);
    if ('Fn::Sub' in v) {
      const sub = (v as { 'Fn::Sub': unknown })['Fn::Sub'];
      const [text, vars] = Array.isArray(sub) ? [String(sub[0]), (sub[1] ?? {}) as Json] : [String(sub), {}];
      for (const m of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
        const name = String(m[1]).split('.')[0] ?? '';
        if (!(name in vars)) check(name, `${where} Fn::Sub`);
      }
    }
    for (const x of Object.values(v)) walk(x, where);
  };
  for (const [id, r] of Object.entries(t.Resources)) {
    walk(r.Properties, id);
    for (const dep of asArray(r.DependsOn)) check(dep, `${id} DependsOn`);
  }
  walk(t.Outputs, 'Outputs');
  return findings;
};

/**
 * An HTTP API stage's RouteSettings keys are routes of the same API, and the stage
 * DependsOn each of them: API Gateway refuses the stage otherwise ("Unable to find Route
 * by key … within the provided RouteSettings"), on create and when a route is added.
 */
export const routeSettingsWaitForRoutes: Rule = (t) => {
  const findings: string[] = [];
  const routes = byType(t, 'AWS::ApiGatewayV2::Route');
  for (const [stageId, stage] of byType(t, 'AWS::ApiGatewayV2::Stage')) {
    const settings = (stage.Properties?.RouteSettings ?? {}) as Json;
    const deps = new Set(asArray(stage.DependsOn));
    for (const key of Object.keys(settings)) {
      const route = routes.find(
        ([, r]) => r.Properties?.RouteKey === key && same(r.Properties?.ApiId, stage.Properties?.ApiId),
      );
      if (!route) findings.push(`${stageId}: RouteSettings key "${key}" is not a route of its API`);
      else if (!deps.has(route[0]))
        findings.push(`${stageId}: does not DependsOn route ${route[0]} ("${key}")`);
    }
  }
  return findings;
};

/**
 * A topic policy replaces SNS's default one: it must allow someone (not only deny), and
 * a topic that alarms notify must let cloudwatch.amazonaws.com publish, limited to our
 * account and alarms (aws:SourceAccount and aws:SourceArn).
 */
export const topicPoliciesLetAlarmsPublish: Rule = (t) => {
  const findings: string[] = [];
  const policies = byType(t, 'AWS::SNS::TopicPolicy');
  const statementsFor = (topicId: string) =>
    policies
      .filter(([, p]) => asArray(p.Properties?.Topics as unknown[]).some((x) => refOf(x) === topicId))
      .flatMap(([, p]) => asArray((p.Properties?.PolicyDocument as { Statement?: Json[] })?.Statement));
  for (const [id, p] of policies) {
    const statements = asArray((p.Properties?.PolicyDocument as { Statement?: Json[] })?.Statement);
    if (!statements.some((s) => s.Effect === 'Allow')) {
      findings.push(`${id}: only Deny statements; it replaces the default policy, so nobody may publish`);
    }
  }
  const alarmTopics = new Set(
    byType(t, 'AWS::CloudWatch::Alarm').flatMap(([, a]) =>
      asArray(a.Properties?.AlarmActions as unknown[]).flatMap((x) => asArray(refOf(x))),
    ),
  );
  for (const topicId of alarmTopics) {
    const statements = statementsFor(topicId);
    if (statements.length === 0) continue; // the default policy lets CloudWatch of this account publish
    const ok = statements.some((s) => {
      const principal = JSON.stringify(s.Principal ?? {});
      const actions = asArray(s.Action as string | string[]).map((a) => a.toLowerCase());
      const condition = JSON.stringify(s.Condition ?? {});
      return (
        s.Effect === 'Allow' &&
        principal.includes('cloudwatch.amazonaws.com') &&
        actions.includes('sns:publish') &&
        condition.includes('aws:SourceAccount') &&
        condition.includes('aws:SourceArn')
      );
    });
    if (!ok) {
      findings.push(
        `${topicId}: alarms notify it but its policy does not allow cloudwatch.amazonaws.com sns:Publish (with aws:SourceAccount and aws:SourceArn)`,
      );
    }
  }
  return findings;
};

/** The per-operation DynamoDB metrics CloudWatch publishes (Operation dimension). */
const DYNAMODB_OPERATIONS = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactGetItems',
  'TransactWriteItems',
  'GetRecords',
]);

/**
 * Every alarm metric carries the dimensions its namespace publishes, or it watches a metric
 * that does not exist and stays silent: EventBridge rules on a custom bus report under
 * EventBusName + RuleName (RuleName alone is the default bus), Lambda under FunctionName,
 * SQS under QueueName, DynamoDB under TableName (+ a real Operation), HTTP APIs under ApiId.
 */
export const metricDimensionsExist: Rule = (t) => {
  const findings: string[] = [];
  const metricsOf = (a: Resource): { where: string; namespace: string; name: string; dims: Json }[] => {
    const p = a.Properties ?? {};
    const toDims = (d: unknown) =>
      Object.fromEntries(asArray(d as { Name: string; Value: unknown }[]).map((x) => [x.Name, x.Value]));
    if (p.Namespace) {
      return [
        { where: '', namespace: String(p.Namespace), name: String(p.MetricName), dims: toDims(p.Dimensions) },
      ];
    }
    return asArray(p.Metrics as Json[]).flatMap((m) => {
      const stat = m.MetricStat as {
        Metric: { Namespace: string; MetricName: string; Dimensions?: unknown };
      };
      return stat
        ? [
            {
              where: ` ${String(m.Id)}`,
              namespace: stat.Metric.Namespace,
              name: stat.Metric.MetricName,
              dims: toDims(stat.Metric.Dimensions),
            },
          ]
        : [];
    });
  };
  const expectKeys = (where: string, dims: Json, keys: string[]) => {
    const have = Object.keys(dims).sort();
    if (!same(have, [...keys].sort())) {
      findings.push(`${where}: dimensions [${have.join(', ')}], expected [${keys.join(', ')}]`);
    }
  };
  for (const [id, alarm] of byType(t, 'AWS::CloudWatch::Alarm')) {
    for (const m of metricsOf(alarm)) {
      const where = `${id}${m.where} ${m.namespace} ${m.name}`;
      switch (m.namespace) {
        case 'AWS/Events': {
          const ruleId = refOf(m.dims.RuleName);
          const rule = ruleId ? t.Resources[ruleId] : undefined;
          const bus = rule?.Properties?.EventBusName;
          const custom = bus !== undefined && bus !== 'default';
          expectKeys(where, m.dims, custom ? ['EventBusName', 'RuleName'] : ['RuleName']);
          if (custom && m.dims.EventBusName !== undefined && !same(m.dims.EventBusName, bus)) {
            findings.push(`${where}: EventBusName is not the bus of rule ${ruleId}`);
          }
          break;
        }
        case 'AWS/Lambda':
          expectKeys(where, m.dims, ['FunctionName']);
          break;
        case 'AWS/SQS':
          expectKeys(where, m.dims, ['QueueName']);
          break;
        case 'AWS/DynamoDB':
          if ('Operation' in m.dims) {
            expectKeys(where, m.dims, ['Operation', 'TableName']);
            if (!DYNAMODB_OPERATIONS.has(String(m.dims.Operation))) {
              findings.push(`${where}: no such DynamoDB operation ${String(m.dims.Operation)}`);
            }
          } else expectKeys(where, m.dims, ['TableName']);
          break;
        case 'AWS/ApiGateway':
          if (!('ApiId' in m.dims)) findings.push(`${where}: HTTP API metrics need ApiId`);
          break;
        default:
          if (m.namespace.startsWith('AWS/')) findings.push(`${where}: namespace not checked by this rule`);
      }
    }
  }
  return findings;
};

/** Every log group has a retention (CloudWatch keeps logs forever otherwise). */
export const logGroupsExpire: Rule = (t) =>
  byType(t, 'AWS::Logs::LogGroup')
    .filter(([, g]) => !g.Properties?.RetentionInDays)
    .map(([id]) => `${id}: no RetentionInDays`);

/** Every resource holding data or identity is retained in prod and deleted elsewhere, alike. */
export const removalPoliciesFollowStage: Rule = (t, { stage }) => {
  const want = stage === 'prod' ? 'Retain' : 'Delete';
  return Object.entries(t.Resources)
    .filter(([, r]) => (STATEFUL_TYPES as readonly string[]).includes(r.Type))
    .filter(
      ([, r]) => (r.DeletionPolicy ?? 'Delete') !== want || (r.UpdateReplacePolicy ?? 'Delete') !== want,
    )
    .map(
      ([id, r]) =>
        `${id} (${r.Type}): DeletionPolicy ${r.DeletionPolicy ?? 'Delete'}, expected ${want} on ${stage}`,
    );
};

/** How far apart two invocations of a rate schedule can arrive, at worst, below its period. */
export const SCHEDULE_JITTER_SECONDS = 15;

const rateSeconds = (expression: string): number | undefined => {
  const m = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (!m) return undefined;
  const unit = m[2]?.startsWith('minute') ? 60 : m[2]?.startsWith('hour') ? 3600 : 86400;
  return Number(m[1]) * unit;
};

/**
 * A scheduled function with reserved concurrency R never throttles itself: a run (up to its
 * timeout, plus the schedule's jitter) overlaps at most R - 1 later runs.
 */
export const schedulesFitReservedConcurrency: Rule = (t) => {
  const findings: string[] = [];
  for (const [, rule] of byType(t, 'AWS::Events::Rule')) {
    const period = rateSeconds(String(rule.Properties?.ScheduleExpression ?? ''));
    if (!period) continue;
    for (const target of asArray(rule.Properties?.Targets as Json[])) {
      const fnId = getAttOf(target.Arn)?.[0];
      const fn = fnId ? t.Resources[fnId] : undefined;
      const reserved = fn?.Properties?.ReservedConcurrentExecutions as number | undefined;
      if (!fn || reserved === undefined) continue;
      const timeout = Number(fn.Properties?.Timeout ?? 3);
      const needed = Math.ceil((timeout + SCHEDULE_JITTER_SECONDS) / period);
      if (needed > reserved) {
        findings.push(
          `${fnId}: runs every ${period} s for up to ${timeout} s with ${reserved} reserved: needs ${needed}, throttles itself`,
        );
      }
    }
  }
  return findings;
};

/** IAM actions on a table that show up under another operation's metrics. */
const OPERATION_OF_ACTION: Record<string, string> = { ConditionCheckItem: 'TransactWriteItems' };

/** Every table operation a function is granted is in that table's ThrottledRequests alarm. */
const STREAM_OPERATIONS = new Set(['DescribeStream', 'GetRecords', 'GetShardIterator', 'ListStreams']);

export const grantedTableOperationsAlarmed: Rule = (t) => {
  const findings: string[] = [];
  for (const [tableId] of byType(t, 'AWS::DynamoDB::Table')) {
    const alarmed = new Set(
      byType(t, 'AWS::CloudWatch::Alarm').flatMap(([, a]) =>
        asArray(a.Properties?.Metrics as Json[]).flatMap((m) => {
          const metric = (m.MetricStat as { Metric?: { MetricName: string; Dimensions: Json[] } })?.Metric;
          if (metric?.MetricName !== 'ThrottledRequests') return [];
          const dims = Object.fromEntries(metric.Dimensions.map((d) => [d.Name, d.Value]));
          return getAttOf(dims.TableName)?.[0] === tableId || refOf(dims.TableName) === tableId
            ? [String(dims.Operation)]
            : [];
        }),
      ),
    );
    const granted = new Set(
      byType(t, 'AWS::IAM::Policy').flatMap(([, p]) =>
        asArray((p.Properties?.PolicyDocument as { Statement?: Json[] } | undefined)?.Statement)
          .filter((s) => JSON.stringify(s.Resource).includes(`"${tableId}"`))
          .flatMap((s) => asArray(s.Action as string | string[]))
          .filter((a) => a.startsWith('dynamodb:'))
          .map((a) => a.slice('dynamodb:'.length))
          // Stream reads are the event source mapping's: their lag is alarmed as IteratorAge.
          .filter((a) => !STREAM_OPERATIONS.has(a))
          .map((a) => OPERATION_OF_ACTION[a] ?? a),
      ),
    );
    for (const op of granted) {
      if (!alarmed.has(op)) findings.push(`${tableId}: ${op} is granted but its throttling is not alarmed`);
    }
  }
  return findings;
};

/** Lambda refuses an SQS event source whose visibility timeout is below the function's timeout. */
export const queuesOutlastConsumers: Rule = (t) => {
  const findings: string[] = [];
  for (const [id, mapping] of byType(t, 'AWS::Lambda::EventSourceMapping')) {
    const queueId = getAttOf(mapping.Properties?.EventSourceArn)?.[0];
    const queue = queueId ? t.Resources[queueId] : undefined;
    if (queue?.Type !== 'AWS::SQS::Queue') continue;
    const fnId = refOf(mapping.Properties?.FunctionName);
    const fn = fnId ? t.Resources[fnId] : undefined;
    const visibility = Number(queue.Properties?.VisibilityTimeout ?? 30);
    const timeout = Number(fn?.Properties?.Timeout ?? 3);
    if (visibility < timeout)
      findings.push(`${id}: queue visibility ${visibility} s < function timeout ${timeout} s`);
  }
  return findings;
};

export const RULES: Record<string, Rule> = {
  referencesResolve,
  routeSettingsWaitForRoutes,
  topicPoliciesLetAlarmsPublish,
  metricDimensionsExist,
  logGroupsExpire,
  removalPoliciesFollowStage,
  schedulesFitReservedConcurrency,
  grantedTableOperationsAlarmed,
  queuesOutlastConsumers,
};

/** Every finding of every rule, prefixed by the rule's name. */
export function deployReadiness(t: CfnTemplate, context: { stage: string }): string[] {
  return Object.entries(RULES).flatMap(([name, rule]) => rule(t, context).map((f) => `${name}: ${f}`));
}
