import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateTableCommand, type DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { itemRow, newItem } from '../shared/adapters/dynamodb-store.ts';
import { localArn, queueUrl } from './aws-account.ts';
import { InvalidEventPatternError, validatePattern } from './event-pattern.ts';
import type { LocalRule } from './eventbridge.ts';
import type { FunctionConfig } from './lambda-runtime.ts';
import type { LocalSqs } from './sqs.ts';
import type { StreamMappingDefinition } from './stream-mappings.ts';
import { type CloudAssembly, type Resource, resolve } from './template.ts';

/** Resource types the local cloud runs; every other type in the template is listed as not emulated. */
export const SUPPORTED_TYPES = [
  'AWS::DynamoDB::Table',
  'AWS::SQS::Queue',
  'AWS::Events::EventBus',
  'AWS::Events::Rule',
  'AWS::Lambda::Function',
  'AWS::Lambda::EventSourceMapping',
  'AWS::ApiGatewayV2::Api',
  'AWS::ApiGatewayV2::Route',
  'AWS::ApiGatewayV2::Integration',
  'AWS::ApiGatewayV2::Authorizer',
  'AWS::ApiGatewayV2::Stage',
] as const;
/** Types with nothing to run locally (permissions, policies): accepted silently as no-ops. */
export const NO_OP_TYPES = ['AWS::SQS::QueuePolicy', 'AWS::Lambda::Permission', 'AWS::CDK::Metadata'];

/** An event source mapping as the template declares it. */
export interface MappingDefinition {
  logicalId: string;
  functionId: string;
  queueName: string;
  batchSize: number;
  maxConcurrency: number;
  reportBatchItemFailures: boolean;
}

/**
 * The synthesized stack read for local use: local names of every resource and intrinsic
 * resolution (`Ref`, `Fn::GetAtt`) against them, queue URLs on the edge.
 */
export class StackModel {
  readonly stackName: string;
  readonly resources: Record<string, Resource>;
  readonly names = new Map<string, string>();

  constructor(
    readonly assembly: CloudAssembly,
    readonly urls: { edge: string; api: string },
  ) {
    this.stackName = assembly.stackName;
    this.resources = assembly.template.Resources;
    for (const [id, r] of Object.entries(this.resources)) {
      const explicit =
        r.Properties?.Name ??
        r.Properties?.QueueName ??
        r.Properties?.TableName ??
        r.Properties?.FunctionName;
      this.names.set(id, typeof explicit === 'string' ? explicit : `${this.stackName}-${id}`.slice(0, 80));
    }
  }

  nameOf(id: string): string {
    return this.names.get(id) ?? id;
  }

  byType(type: string): [string, Resource][] {
    return Object.entries(this.resources).filter(([, r]) => r.Type === type);
  }

  /** The logical id of the resource with this local name (e.g. a function named in an ARN). */
  idByName(name: string): string | undefined {
    return [...this.names].find(([, n]) => n === name)?.[0];
  }

  arn(id: string): string {
    const name = this.nameOf(id);
    switch (this.resources[id]?.Type) {
      case 'AWS::SQS::Queue':
        return localArn('sqs', name);
      case 'AWS::Lambda::Function':
        return localArn('lambda', `function:${name}`);
      case 'AWS::DynamoDB::Table':
        return localArn('dynamodb', `table/${name}`);
      case 'AWS::Events::EventBus':
        return localArn('events', `event-bus/${name}`);
      default:
        return localArn('local', id);
    }
  }

  readonly #refs = {
    ref: (id: string): unknown => {
      const r = this.resources[id];
      if (!r) throw new Error(`Ref to unknown resource ${id}`);
      if (r.Type === 'AWS::SQS::Queue') return queueUrl(this.urls.edge, this.nameOf(id));
      if (r.Type === 'AWS::ApiGatewayV2::Api') return LOCAL_API_ID;
      if (r.Type.startsWith('AWS::ApiGatewayV2::')) return id;
      return this.names.get(id);
    },
    getAtt: (id: string, attr: string): unknown => {
      if (attr === 'Arn') return this.arn(id);
      if (attr === 'QueueName' || attr === 'Name') return this.names.get(id);
      if (attr === 'QueueUrl') return queueUrl(this.urls.edge, this.nameOf(id));
      if (attr === 'ApiEndpoint') return this.urls.api;
      return `local:${id}.${attr}`;
    },
  };

  /** A resource's properties with intrinsics resolved to local values. */
  props(r: Resource): Record<string, any> {
    return resolve(r.Properties ?? {}, this.#refs, this.stackName) as Record<string, any>;
  }

  resolve(value: unknown): unknown {
    return resolve(value, this.#refs, this.stackName);
  }

  /** Resource types in the template with no local behaviour, with their counts. */
  notEmulated(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of Object.values(this.resources)) {
      if (!(SUPPORTED_TYPES as readonly string[]).includes(r.Type) && !NO_OP_TYPES.includes(r.Type)) {
        counts[r.Type] = (counts[r.Type] ?? 0) + 1;
      }
    }
    return counts;
  }

  /** The stack outputs as `cdk deploy --outputs-file` writes them, plus the edge. */
  outputs(): Record<string, string> {
    const outputs: Record<string, string> = {};
    for (const [name, output] of Object.entries(this.assembly.template.Outputs ?? {})) {
      const value = String(this.resolve(output.Value));
      outputs[name] = name === 'ApiUrl' || value.includes('execute-api') ? this.urls.api : value;
    }
    outputs.AwsEndpointUrl = this.urls.edge;
    return outputs;
  }
}

/** The id the local HTTP API answers to (`Ref` of the API, GetApis). */
export const LOCAL_API_ID = 'local';

/** Tables with the template's keys, indexes and TTL (existing ones, when persisted, are kept). */
export async function createTables(model: StackModel, ddb: DynamoDBClient): Promise<void> {
  for (const [id, r] of model.byType('AWS::DynamoDB::Table')) {
    const p = model.props(r);
    const TableName = model.nameOf(id);
    try {
      await ddb.send(
        new CreateTableCommand({
          TableName,
          AttributeDefinitions: p.AttributeDefinitions,
          KeySchema: p.KeySchema,
          BillingMode: 'PAY_PER_REQUEST',
          ...(p.StreamSpecification?.StreamViewType
            ? {
                StreamSpecification: {
                  StreamEnabled: true,
                  StreamViewType: p.StreamSpecification.StreamViewType,
                },
              }
            : {}),
          ...(p.GlobalSecondaryIndexes
            ? {
                GlobalSecondaryIndexes: p.GlobalSecondaryIndexes.map((g: Record<string, unknown>) => ({
                  IndexName: g.IndexName,
                  KeySchema: g.KeySchema,
                  Projection: g.Projection,
                })),
              }
            : {}),
        }),
      );
      if (p.TimeToLiveSpecification?.Enabled) {
        await ddb.send(
          new UpdateTimeToLiveCommand({ TableName, TimeToLiveSpecification: p.TimeToLiveSpecification }),
        );
      }
    } catch (error) {
      if ((error as { name?: string }).name !== 'ResourceInUseException') throw error;
    }
  }
}

/** Queues with the template's attributes; DLQs first, so redrive targets exist. */
export async function createQueues(
  model: StackModel,
  sqs: LocalSqs,
  options: { visibilityTimeoutSeconds?: number },
): Promise<void> {
  const queues = model
    .byType('AWS::SQS::Queue')
    .sort(
      ([, a], [, b]) =>
        Number(Boolean(a.Properties?.RedrivePolicy)) - Number(Boolean(b.Properties?.RedrivePolicy)),
    );
  for (const [id, r] of queues) {
    const p = model.props(r);
    const attributes: Record<string, string> = {};
    const visibility = options.visibilityTimeoutSeconds ?? p.VisibilityTimeout;
    if (visibility !== undefined) attributes.VisibilityTimeout = String(visibility);
    if (p.MessageRetentionPeriod !== undefined)
      attributes.MessageRetentionPeriod = String(p.MessageRetentionPeriod);
    if (p.RedrivePolicy) attributes.RedrivePolicy = JSON.stringify(p.RedrivePolicy);
    await sqs.createQueue(model.nameOf(id), attributes);
  }
}

/** The table a mapping reads the stream of (`Fn::GetAtt [Table, StreamArn]`), if it is a stream mapping. */
function streamTableOf(r: Resource): string | undefined {
  const arn = (r.Properties as { EventSourceArn?: { 'Fn::GetAtt'?: [string, string] } } | undefined)
    ?.EventSourceArn;
  const getAtt = arn?.['Fn::GetAtt'];
  return getAtt && getAtt[1] === 'StreamArn' ? getAtt[0] : undefined;
}

/** The table-stream mappings of the template (the change-stream publisher's). */
export function streamMappingDefinitions(model: StackModel): StreamMappingDefinition[] {
  return model
    .byType('AWS::Lambda::EventSourceMapping')
    .filter(([, r]) => streamTableOf(r) !== undefined)
    .map(([id, r]) => {
      const p = model.props(r);
      const functionId = model.idByName(String(p.FunctionName));
      if (!functionId) throw new Error(`Event source mapping ${id}: unknown function ${p.FunctionName}`);
      const onFailure = p.DestinationConfig?.OnFailure?.Destination;
      return {
        logicalId: id,
        functionId,
        tableName: model.nameOf(streamTableOf(r) as string),
        batchSize: Number(p.BatchSize ?? 100),
        bisectBatchOnError: p.BisectBatchOnFunctionError === true,
        maximumRetryAttempts: Number(p.MaximumRetryAttempts ?? -1),
        maximumRecordAgeSeconds: Number(p.MaximumRecordAgeInSeconds ?? -1),
        reportBatchItemFailures: (p.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
        ...(onFailure ? { onFailureQueue: String(onFailure).split(':').pop() ?? '' } : {}),
        filters: ((p.FilterCriteria?.Filters ?? []) as { Pattern: string }[]).map((f) =>
          JSON.parse(f.Pattern),
        ),
      };
    });
}

export function mappingDefinitions(model: StackModel): MappingDefinition[] {
  return model
    .byType('AWS::Lambda::EventSourceMapping')
    .filter(([, r]) => streamTableOf(r) === undefined)
    .map(([id, r]) => {
      const p = model.props(r);
      const functionId = model.idByName(String(p.FunctionName));
      if (!functionId) throw new Error(`Event source mapping ${id}: unknown function ${p.FunctionName}`);
      const source = String(p.EventSourceArn);
      if (!source.startsWith('arn:aws:sqs:'))
        throw new Error(`Event source mapping ${id}: only SQS sources are emulated (got ${source})`);
      return {
        logicalId: id,
        functionId,
        queueName: source.split(':').pop() ?? '',
        batchSize: Number(p.BatchSize ?? 10),
        maxConcurrency: Number(p.ScalingConfig?.MaximumConcurrency ?? 5),
        reportBatchItemFailures: (p.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
      };
    });
}

/** Each function's configuration and how many environments it may run at once. */
export function functionDefinitions(
  model: StackModel,
  mappings: MappingDefinition[],
  functionEnv: Record<string, string>,
): { id: string; config: FunctionConfig; maxEnvironments: number }[] {
  return model.byType('AWS::Lambda::Function').map(([id, r]) => {
    const p = model.props(r);
    const assetPath = (r as Resource & { Metadata?: Record<string, string> }).Metadata?.['aws:asset:path'];
    if (!assetPath) throw new Error(`Function ${id} has no asset in the cloud assembly`);
    const [file, exportName] = String(p.Handler ?? 'index.handler').split('.') as [string, string];
    const functionName = model.nameOf(id);
    const config: FunctionConfig = {
      logicalId: id,
      functionName,
      codePath: join(model.assembly.dir, assetPath, `${file}.mjs`),
      exportName,
      timeoutSeconds: Number(p.Timeout ?? 3),
      memorySize: Number(p.MemorySize ?? 128),
      environment: {
        ...Object.fromEntries(Object.entries(p.Environment?.Variables ?? {}).map(([k, v]) => [k, String(v)])),
        AWS_LAMBDA_FUNCTION_NAME: functionName,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(p.MemorySize ?? 128),
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
        ...functionEnv,
      },
    };
    const fromMappings = mappings
      .filter((m) => m.functionId === id)
      .reduce((n, m) => n + m.maxConcurrency, 0);
    const reserved =
      p.ReservedConcurrentExecutions === undefined ? undefined : Number(p.ReservedConcurrentExecutions);
    return { id, config, maxEnvironments: reserved ?? (fromMappings || 4) };
  });
}

/** The template's buses (plus `default`) and rules with their targets. */
export function eventBuses(model: StackModel): Set<string> {
  return new Set(['default', ...model.byType('AWS::Events::EventBus').map(([id]) => model.nameOf(id))]);
}

/**
 * The template's rules with their targets. A pattern EventBridge would refuse stops the
 * start-up naming the rule and the reason, as `cdk deploy` would fail.
 */
export function eventRules(model: StackModel): LocalRule[] {
  return model.byType('AWS::Events::Rule').map(([id, r]) => {
    const p = model.props(r);
    if (p.EventPattern !== undefined) {
      try {
        validatePattern(p.EventPattern);
      } catch (error) {
        if (!(error instanceof InvalidEventPatternError)) throw error;
        throw new Error(`Rule ${id} (${model.nameOf(id)}) has an invalid event pattern: ${error.message}`, {
          cause: error,
        });
      }
    }
    return {
      logicalId: id,
      name: model.nameOf(id),
      bus:
        String(p.EventBusName ?? 'default')
          .split('/')
          .pop() ?? 'default',
      ...(p.EventPattern ? { pattern: p.EventPattern } : {}),
      ...(p.ScheduleExpression ? { schedule: String(p.ScheduleExpression) } : {}),
      enabled: (p.State ?? 'ENABLED') === 'ENABLED',
      targets: (p.Targets ?? []).map((t: { Id: string; Arn: string }) => {
        const kind = t.Arn.startsWith('arn:aws:sqs:') ? ('sqs' as const) : ('lambda' as const);
        const target = t.Arn.split(':').pop() ?? '';
        const name = kind === 'sqs' ? target : (model.idByName(target) ?? target);
        return { id: t.Id, kind, name, arn: t.Arn };
      }),
    };
  });
}

/** Puts the seed items that do not exist yet. */
export async function seed(file: string, client: DynamoDBClient, tableName: string): Promise<void> {
  const items = JSON.parse(readFileSync(file, 'utf8')) as {
    itemId: string;
    name: string;
    totalQuantity: number;
  }[];
  const doc = DynamoDBDocumentClient.from(client);
  const now = new Date().toISOString();
  await Promise.all(
    items.map((item) =>
      doc
        .send(
          new PutCommand({
            TableName: tableName,
            Item: itemRow(newItem(item.itemId, item.totalQuantity, item.name, now)),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        )
        .catch((error: { name?: string }) => {
          if (error.name !== 'ConditionalCheckFailedException') throw error;
        }),
    ),
  );
}

/** A dead-letter queue and where its messages came from (a redrive sends them back there). */
export interface DeadLetterQueue {
  name: string;
  source: { kind: 'sqs' | 'lambda'; name: string; via: 'redrive-policy' | 'rule-target' };
}

/** Queues named as a redrive policy's target, and rule targets' dead-letter queues. */
export function deadLetterQueues(model: StackModel): DeadLetterQueue[] {
  const byArn = (arn: unknown) =>
    String(arn ?? '')
      .split(':')
      .pop() ?? '';
  const dlqs: DeadLetterQueue[] = [];
  for (const [id, r] of model.byType('AWS::SQS::Queue')) {
    const target = model.props(r).RedrivePolicy?.deadLetterTargetArn;
    if (target)
      dlqs.push({
        name: byArn(target),
        source: { kind: 'sqs', name: model.nameOf(id), via: 'redrive-policy' },
      });
  }
  for (const rule of eventRules(model)) {
    const [, r] = model.byType('AWS::Events::Rule').find(([id]) => id === rule.logicalId) ?? [];
    for (const t of (r ? model.props(r).Targets : []) as {
      Arn: string;
      DeadLetterConfig?: { Arn: string };
    }[]) {
      if (!t.DeadLetterConfig?.Arn) continue;
      const kind = t.Arn.startsWith('arn:aws:sqs:') ? 'sqs' : 'lambda';
      const name = kind === 'sqs' ? byArn(t.Arn) : (model.idByName(byArn(t.Arn)) ?? byArn(t.Arn));
      dlqs.push({ name: byArn(t.DeadLetterConfig.Arn), source: { kind, name, via: 'rule-target' } });
    }
  }
  return dlqs;
}
