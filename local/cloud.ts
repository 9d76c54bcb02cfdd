import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { startFauxqs } from 'fauxqs';
import { itemRow, newItem } from '../shared/adapters/dynamodb-store.ts';
import { type DynamoDbLocal, freePort, startDynamoDbLocal } from './dynamodb-local.ts';
import { LocalEventBridge, type LocalRule } from './eventbridge.ts';
import { issuerUrl, LOCAL_AUDIENCE, LocalIssuer } from './issuer.ts';
import { type FunctionConfig, InvocationError, LocalFunction } from './lambda-runtime.ts';
import { type Resource, readAssembly, resolve, synthesize } from './template.ts';

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

export interface LocalCloudOptions {
  root?: string;
  /** Run this cloud assembly as it is instead of synthesizing (tests of template-driven behaviour). */
  assemblyDir?: string;
  edgePort?: number;
  httpPort?: number;
  /** Keep DynamoDB data under .local/dynamodb between runs. */
  persist?: boolean;
  /** Overrides every schedule's period (LOCAL_SCHEDULE_INTERVAL_SECONDS). */
  scheduleIntervalSeconds?: number;
  /** Overrides queues' visibility timeout, so redelivery tests need not wait a minute (LOCAL_VISIBILITY_TIMEOUT_SECONDS). */
  visibilityTimeoutSeconds?: number;
  /** Extra environment for every function (e.g. POWERTOOLS_LOG_LEVEL). */
  functionEnv?: Record<string, string>;
  seed?: boolean;
  log?: (line: string) => void;
}

export interface LocalCloud {
  outputs: Record<string, string>;
  stackName: string;
  urls: { api: string; edge: string; issuer: string };
  issuer: LocalIssuer;
  bus: LocalEventBridge;
  notEmulated: Record<string, number>;
  startupMs: number;
  stop(): Promise<void>;
}

interface Mapping {
  functionId: string;
  queueName: string;
  batchSize: number;
  maxConcurrency: number;
  reportBatchItemFailures: boolean;
}

interface Route {
  method: string;
  path: string;
  functionId: string;
  authorizer?: { issuer: string; audience: string[] };
  scopes: string[];
}

/**
 * The whole service on one machine, driven by the synthesized template: DynamoDB Local,
 * an SQS emulator (fauxqs), an EventBridge emulator, the bundled functions in worker
 * threads, the HTTP API with its JWT authorizer, event source mappings and schedules,
 * behind one AWS edge endpoint.
 */
export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  const started = Date.now();
  const root = options.root ?? process.cwd();
  const log = options.log ?? (() => undefined);
  const edgePort = options.edgePort ?? 4566;
  const httpPort = options.httpPort ?? 3000;
  const edgeUrl = `http://127.0.0.1:${edgePort}`;
  const apiUrl = `http://127.0.0.1:${httpPort}`;
  const localDir = join(root, '.local');
  mkdirSync(localDir, { recursive: true });
  const issuer = await LocalIssuer.load(join(localDir, 'issuer'), issuerUrl(edgePort));

  // Synthesis and DynamoDB Local start in parallel: they are the slow parts.
  const synthesis = Promise.resolve().then(() =>
    options.assemblyDir
      ? readAssembly(options.assemblyDir)
      : synthesize({
          root,
          outdir: 'cdk.local.out',
          context: { jwtIssuer: issuer.issuer, jwtAudience: LOCAL_AUDIENCE },
        }),
  );
  const dynamoPromise = startDynamoDbLocal(options.persist ? { path: join(localDir, 'dynamodb') } : {});
  const fauxqsPromise = startFauxqs({ port: 0, logger: false });
  const stoppers: (() => Promise<void>)[] = [];
  let dynamo: DynamoDbLocal | undefined;
  try {
    const [assembly, dynamoLocal, sqsServer] = await Promise.all([synthesis, dynamoPromise, fauxqsPromise]);
    dynamo = dynamoLocal;
    stoppers.push(
      () => dynamoLocal.stop(),
      () => sqsServer.stop(),
    );
    const { stackName, template } = assembly;
    const resources = template.Resources;
    const byType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

    const notEmulated: Record<string, number> = {};
    for (const r of Object.values(resources)) {
      if (!(SUPPORTED_TYPES as readonly string[]).includes(r.Type) && !NO_OP_TYPES.includes(r.Type)) {
        notEmulated[r.Type] = (notEmulated[r.Type] ?? 0) + 1;
      }
    }

    // Local names of everything, then intrinsic resolution against them.
    const names = new Map<string, string>();
    for (const [id, r] of Object.entries(resources)) {
      const explicit =
        r.Properties?.Name ??
        r.Properties?.QueueName ??
        r.Properties?.TableName ??
        r.Properties?.FunctionName;
      names.set(id, typeof explicit === 'string' ? explicit : `${stackName}-${id}`.slice(0, 80));
    }
    const arn = (id: string, r: Resource | undefined): string => {
      const name = names.get(id) ?? id;
      switch (r?.Type) {
        case 'AWS::SQS::Queue':
          return `arn:aws:sqs:us-east-1:000000000000:${name}`;
        case 'AWS::Lambda::Function':
          return `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
        case 'AWS::DynamoDB::Table':
          return `arn:aws:dynamodb:us-east-1:000000000000:table/${name}`;
        case 'AWS::Events::EventBus':
          return `arn:aws:events:us-east-1:000000000000:event-bus/${name}`;
        default:
          return `arn:aws:local:us-east-1:000000000000:${id}`;
      }
    };
    const refs = {
      ref(id: string): unknown {
        const r = resources[id];
        if (!r) throw new Error(`Ref to unknown resource ${id}`);
        if (r.Type === 'AWS::SQS::Queue') return `${edgeUrl}/000000000000/${names.get(id)}`;
        if (r.Type === 'AWS::ApiGatewayV2::Api') return 'local';
        if (r.Type.startsWith('AWS::ApiGatewayV2::')) return id;
        return names.get(id);
      },
      getAtt(id: string, attr: string): unknown {
        const r = resources[id];
        if (attr === 'Arn') return arn(id, r);
        if (attr === 'QueueName' || attr === 'Name') return names.get(id);
        if (attr === 'QueueUrl') return `${edgeUrl}/000000000000/${names.get(id)}`;
        if (attr === 'ApiEndpoint') return apiUrl;
        return `local:${id}.${attr}`;
      },
    };
    const props = (r: Resource) => resolve(r.Properties ?? {}, refs, stackName) as Record<string, any>;

    // DynamoDB tables.
    const ddb = new DynamoDBClient({
      endpoint: dynamoLocal.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    stoppers.push(async () => ddb.destroy());
    for (const [id, r] of byType('AWS::DynamoDB::Table')) {
      const p = props(r);
      const TableName = names.get(id) ?? id;
      try {
        await ddb.send(
          new CreateTableCommand({
            TableName,
            AttributeDefinitions: p.AttributeDefinitions,
            KeySchema: p.KeySchema,
            BillingMode: 'PAY_PER_REQUEST',
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

    // Queues (DLQs first, so redrive targets exist).
    const queues = byType('AWS::SQS::Queue').sort(
      ([, a], [, b]) =>
        Number(Boolean(a.Properties?.RedrivePolicy)) - Number(Boolean(b.Properties?.RedrivePolicy)),
    );
    for (const [id, r] of queues) {
      const p = props(r);
      const attributes: Record<string, string> = {};
      const visibility = options.visibilityTimeoutSeconds ?? p.VisibilityTimeout;
      if (visibility !== undefined) attributes.VisibilityTimeout = String(visibility);
      if (p.MessageRetentionPeriod !== undefined)
        attributes.MessageRetentionPeriod = String(p.MessageRetentionPeriod);
      if (p.RedrivePolicy) attributes.RedrivePolicy = JSON.stringify(p.RedrivePolicy);
      sqsServer.createQueue(names.get(id) ?? id, { attributes });
    }
    const sqs = new SQSClient({
      endpoint: sqsServer.address,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    stoppers.push(async () => sqs.destroy());

    // Functions.
    const baseEnv: Record<string, string> = {
      AWS_ENDPOINT_URL: edgeUrl,
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      TZ: 'UTC',
      PATH: process.env.PATH ?? '',
    };
    const functions = new Map<string, LocalFunction>();
    const mappings: Mapping[] = [];
    for (const [id, r] of byType('AWS::Lambda::EventSourceMapping')) {
      const p = props(r);
      const functionId = [...names].find(([, n]) => n === p.FunctionName)?.[0];
      const queueName = String(p.EventSourceArn).split(':').pop() ?? '';
      if (!functionId) throw new Error(`Event source mapping ${id}: unknown function ${p.FunctionName}`);
      mappings.push({
        functionId,
        queueName,
        batchSize: Number(p.BatchSize ?? 10),
        maxConcurrency: Number(p.ScalingConfig?.MaximumConcurrency ?? 5),
        reportBatchItemFailures: (p.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
      });
    }
    for (const [id, r] of byType('AWS::Lambda::Function')) {
      const p = props(r);
      const assetPath = (r as Resource & { Metadata?: Record<string, string> }).Metadata?.['aws:asset:path'];
      if (!assetPath) throw new Error(`Function ${id} has no asset in the cloud assembly`);
      const [file, exportName] = String(p.Handler ?? 'index.handler').split('.') as [string, string];
      const config: FunctionConfig = {
        logicalId: id,
        functionName: names.get(id) ?? id,
        codePath: join(assembly.dir, assetPath, `${file}.mjs`),
        exportName,
        timeoutSeconds: Number(p.Timeout ?? 3),
        memorySize: Number(p.MemorySize ?? 128),
        environment: {
          ...Object.fromEntries(
            Object.entries(p.Environment?.Variables ?? {}).map(([k, v]) => [k, String(v)]),
          ),
          AWS_LAMBDA_FUNCTION_NAME: names.get(id) ?? id,
          AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(p.MemorySize ?? 128),
          AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
          ...options.functionEnv,
        },
      };
      const concurrency = mappings
        .filter((m) => m.functionId === id)
        .reduce((n, m) => n + m.maxConcurrency, 0);
      const reserved =
        p.ReservedConcurrentExecutions === undefined ? undefined : Number(p.ReservedConcurrentExecutions);
      functions.set(id, new LocalFunction(config, baseEnv, reserved ?? (concurrency || 4)));
    }
    stoppers.push(async () => {
      await Promise.all([...functions.values()].map((f) => f.stop()));
    });
    const invoke = (functionId: string, event: unknown) => {
      const fn = functions.get(functionId);
      if (!fn) throw new Error(`No function ${functionId}`);
      return fn.invoke(event);
    };

    // Buses and rules.
    const buses = new Set<string>([
      'default',
      ...byType('AWS::Events::EventBus').map(([id]) => names.get(id) ?? id),
    ]);
    const rules: LocalRule[] = byType('AWS::Events::Rule').map(([id, r]) => {
      const p = props(r);
      return {
        logicalId: id,
        name: names.get(id) ?? id,
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
          const functionId = [...names].find(([, n]) => n === target)?.[0] ?? target;
          return { id: t.Id, kind, name: kind === 'sqs' ? target : functionId };
        }),
      };
    });
    const bus = new LocalEventBridge(buses, rules, {
      toQueue: async (queueName, body) => {
        sqsServer.sendMessage(queueName, body);
      },
      toFunction: async (functionId, event) => {
        await invoke(functionId, event).catch((error: Error) =>
          log(`[${functionId}] async invocation failed: ${error.message}`),
        );
      },
    });

    // Event source mappings: poll, invoke, delete what succeeded.
    let running = true;
    const pollers = mappings.map(async (m) => {
      const queueUrl = `${sqsServer.address}/000000000000/${m.queueName}`;
      let active = 0;
      const wake: (() => void)[] = [];
      while (running) {
        if (active >= m.maxConcurrency) {
          await new Promise<void>((r) => wake.push(r));
          continue;
        }
        const received = await sqs
          .send(
            new ReceiveMessageCommand({
              QueueUrl: queueUrl,
              MaxNumberOfMessages: Math.min(10, m.batchSize),
              WaitTimeSeconds: 1,
              MessageSystemAttributeNames: ['All'],
            }),
          )
          .catch(() => ({ Messages: [] }));
        const messages = received.Messages ?? [];
        if (!running || messages.length === 0) continue;
        active++;
        void (async () => {
          try {
            const event = {
              Records: messages.map((msg) => ({
                messageId: msg.MessageId,
                receiptHandle: msg.ReceiptHandle,
                body: msg.Body,
                attributes: msg.Attributes ?? {},
                messageAttributes: {},
                md5OfBody: msg.MD5OfBody,
                eventSource: 'aws:sqs',
                eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${m.queueName}`,
                awsRegion: 'us-east-1',
              })),
            };
            let failed = new Set<string>();
            try {
              const result = (await invoke(m.functionId, event)) as {
                batchItemFailures?: { itemIdentifier: string }[];
              } | null;
              if (m.reportBatchItemFailures && result?.batchItemFailures) {
                failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
              }
            } catch (error) {
              // The whole batch failed: every message comes back after its visibility timeout.
              failed = new Set(messages.map((msg) => String(msg.MessageId)));
              log(
                `[${m.functionId}] batch failed: ${error instanceof InvocationError ? error.message : String(error)}`,
              );
            }
            const done = messages.filter((msg) => !failed.has(String(msg.MessageId)));
            if (done.length > 0) {
              await sqs.send(
                new DeleteMessageBatchCommand({
                  QueueUrl: queueUrl,
                  Entries: done.map((msg, i) => ({ Id: String(i), ReceiptHandle: msg.ReceiptHandle })),
                }),
              );
            }
          } finally {
            active--;
            wake.shift()?.();
          }
        })();
      }
    });
    stoppers.push(async () => {
      running = false;
      await Promise.allSettled(pollers);
    });

    // Schedules.
    const timers: NodeJS.Timeout[] = [];
    for (const rule of rules.filter((r) => r.schedule && r.enabled)) {
      const seconds = options.scheduleIntervalSeconds ?? rateSeconds(rule.schedule ?? '');
      let busy = false;
      timers.push(
        setInterval(async () => {
          if (busy) return;
          busy = true;
          const event = {
            version: '0',
            id: randomUUID(),
            'detail-type': 'Scheduled Event',
            source: 'aws.events',
            account: '000000000000',
            time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
            region: 'us-east-1',
            resources: [`arn:aws:events:us-east-1:000000000000:rule/${rule.name}`],
            detail: {},
          };
          try {
            await Promise.all(
              rule.targets.filter((t) => t.kind === 'lambda').map((t) => invoke(t.name, event)),
            );
          } catch (error) {
            log(`[schedule ${rule.name}] ${(error as Error).message}`);
          } finally {
            busy = false;
          }
        }, seconds * 1000),
      );
    }
    stoppers.push(async () => timers.forEach(clearInterval));

    // HTTP API.
    const routes = httpRoutes(resources, props, names);
    let ready = false;
    const api = createServer((req, res) => void handleApi(req, res, routes, issuer, invoke, () => ready));
    // Edge.
    const edge = createServer(
      (req, res) =>
        void handleEdge(req, res, { dynamo: dynamoLocal.endpoint, sqs: sqsServer.address, bus, issuer }),
    );
    await Promise.all([listen(api, httpPort), listen(edge, edgePort)]);
    stoppers.push(
      () => close(api),
      () => close(edge),
    );

    // Outputs and seed data.
    const outputs: Record<string, string> = {};
    for (const [name, output] of Object.entries(template.Outputs ?? {})) {
      const value = String(resolve(output.Value, refs, stackName));
      outputs[name] = name === 'ApiUrl' || value.includes('execute-api') ? apiUrl : value;
    }
    outputs.AwsEndpointUrl = edgeUrl;
    writeFileSync(join(localDir, 'outputs.json'), `${JSON.stringify({ [stackName]: outputs }, null, 2)}\n`);
    if (options.seed !== false && outputs.TableName) {
      await seed(join(root, 'seed', 'inventory.json'), ddb, outputs.TableName);
    }
    ready = true;
    const startupMs = Date.now() - started;
    return {
      outputs,
      stackName,
      urls: { api: apiUrl, edge: edgeUrl, issuer: issuer.issuer },
      issuer,
      bus,
      notEmulated,
      startupMs,
      async stop() {
        for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
      },
    };
  } catch (error) {
    for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
    if (dynamo === undefined) await dynamoPromise.then((d) => d.stop()).catch(() => undefined);
    throw error;
  }
}

/** `rate(5 minutes)` in seconds; cron is not emulated (rejected rather than ignored). */
export function rateSeconds(expression: string): number {
  const match = /^rate\((\d+) (second|minute|hour|day)s?\)$/.exec(expression);
  if (!match) throw new Error(`Schedule ${expression} is not emulated (only rate(...) is)`);
  const unit = { second: 1, minute: 60, hour: 3600, day: 86400 }[match[2] as 'second'];
  return Number(match[1]) * unit;
}

function httpRoutes(
  resources: Record<string, Resource>,
  props: (r: Resource) => Record<string, any>,
  names: Map<string, string>,
): Route[] {
  const integrations = new Map<string, string>();
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::ApiGatewayV2::Integration') continue;
    const uri = String(props(r).IntegrationUri ?? '');
    const functionName = uri.split(':').pop() ?? '';
    const functionId = [...names].find(([, name]) => name === functionName)?.[0];
    if (functionId) integrations.set(id, functionId);
  }
  const authorizers = new Map<string, { issuer: string; audience: string[] }>();
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::ApiGatewayV2::Authorizer') continue;
    const p = props(r);
    authorizers.set(id, { issuer: p.JwtConfiguration?.Issuer, audience: p.JwtConfiguration?.Audience ?? [] });
  }
  const routes: Route[] = [];
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::ApiGatewayV2::Route') continue;
    const p = props(r);
    const [method = 'ANY', path = '/'] = String(p.RouteKey).split(' ');
    const integrationId = String(p.Target ?? '').replace('integrations/', '');
    const functionId = integrations.get(integrationId);
    if (!functionId) continue;
    const authorizer = p.AuthorizationType === 'JWT' ? authorizers.get(String(p.AuthorizerId)) : undefined;
    routes.push({
      method,
      path,
      functionId,
      ...(authorizer ? { authorizer } : {}),
      scopes: p.AuthorizationScopes ?? [],
    });
  }
  return routes;
}

function matchRoute(routes: Route[], method: string, path: string) {
  for (const route of routes) {
    if (route.method !== method && route.method !== 'ANY') continue;
    const names: string[] = [];
    const regex = new RegExp(
      `^${route.path.replace(/\{([^}+]+)(\+?)\}/g, (_m, name: string, greedy: string) => {
        names.push(name);
        return greedy ? '(.+)' : '([^/]+)';
      })}$`,
    );
    const match = regex.exec(path);
    if (match) {
      const pathParameters = Object.fromEntries(
        names.map((n, i) => [n, decodeURIComponent(match[i + 1] ?? '')]),
      );
      return { route, pathParameters };
    }
  }
  return undefined;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(text);
}

async function handleApi(
  req: IncomingMessage,
  res: ServerResponse,
  routes: Route[],
  issuer: LocalIssuer,
  invoke: (id: string, event: unknown) => Promise<unknown>,
  isReady: () => boolean,
) {
  try {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    if (!isReady()) return send(res, 503, { message: 'Service Unavailable: the local cloud is starting' });
    const found = matchRoute(routes, method, url.pathname);
    if (!found) return send(res, 404, { message: 'Not Found' });
    const { route, pathParameters } = found;
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [
        k.toLowerCase(),
        Array.isArray(v) ? v.join(',') : String(v),
      ]),
    );
    let jwt: { claims: Record<string, unknown>; scopes: string[] } | undefined;
    if (route.authorizer) {
      const token = /^Bearer (.+)$/i.exec(headers.authorization ?? '')?.[1];
      if (!token) return send(res, 401, { message: 'Unauthorized' });
      try {
        const claims = await issuer.verify(token, route.authorizer.issuer, route.authorizer.audience);
        const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
        if (route.scopes.length > 0 && !route.scopes.some((s) => scopes.includes(s))) {
          return send(res, 403, { message: 'Forbidden' });
        }
        jwt = { claims: claims as Record<string, unknown>, scopes };
      } catch {
        return send(res, 401, { message: 'Unauthorized' });
      }
    }
    const body = await readBody(req);
    const requestId = randomUUID();
    const event = {
      version: '2.0',
      routeKey: `${route.method} ${route.path}`,
      rawPath: url.pathname,
      rawQueryString: url.search.replace(/^\?/, ''),
      headers,
      ...(url.search ? { queryStringParameters: Object.fromEntries(url.searchParams) } : {}),
      ...(Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: headers.host ?? '127.0.0.1',
        domainPrefix: 'local',
        http: {
          method,
          path: url.pathname,
          protocol: 'HTTP/1.1',
          sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
          userAgent: headers['user-agent'] ?? '',
        },
        requestId,
        routeKey: `${route.method} ${route.path}`,
        stage: '$default',
        time: new Date().toUTCString(),
        timeEpoch: Date.now(),
        ...(jwt ? { authorizer: { jwt } } : {}),
      },
      ...(body.length > 0
        ? { body: body.toString('utf8'), isBase64Encoded: false }
        : { isBase64Encoded: false }),
    };
    let result: unknown;
    try {
      result = await invoke(route.functionId, event);
    } catch {
      return send(res, 500, { message: 'Internal Server Error' }, { 'apigw-requestid': requestId });
    }
    if (result && typeof result === 'object' && 'statusCode' in result) {
      const r = result as {
        statusCode: number;
        headers?: Record<string, string>;
        body?: string;
        isBase64Encoded?: boolean;
      };
      const payload = r.body === undefined ? '' : r.isBase64Encoded ? Buffer.from(r.body, 'base64') : r.body;
      res.writeHead(r.statusCode, { ...r.headers, 'apigw-requestid': requestId });
      return res.end(payload);
    }
    return send(res, 200, result ?? '', { 'apigw-requestid': requestId });
  } catch (error) {
    send(res, 500, { message: (error as Error).message });
  }
}

async function handleEdge(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: { dynamo: string; sqs: string; bus: LocalEventBridge; issuer: LocalIssuer },
) {
  try {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.startsWith('/_local/')) return localEndpoint(url, res, ctx);
    const body = await readBody(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    const form = String(req.headers['content-type'] ?? '').includes('x-www-form-urlencoded')
      ? body.toString()
      : '';
    if (target.startsWith('AWSEvents.')) {
      const operation = target.slice('AWSEvents.'.length);
      if (operation !== 'PutEvents') {
        return send(
          res,
          400,
          { __type: 'UnknownOperationException', message: `${operation} is not emulated` },
          { 'content-type': 'application/x-amz-json-1.1' },
        );
      }
      try {
        return send(res, 200, await ctx.bus.putEvents(JSON.parse(body.toString() || '{}')), {
          'content-type': 'application/x-amz-json-1.1',
        });
      } catch (error) {
        return send(
          res,
          400,
          { __type: 'ValidationException', message: (error as Error).message },
          { 'content-type': 'application/x-amz-json-1.1' },
        );
      }
    }
    const upstream = target.startsWith('DynamoDB_')
      ? ctx.dynamo
      : target.startsWith('AmazonSQS') || /(^|&)Action=/.test(form)
        ? ctx.sqs
        : undefined;
    if (!upstream)
      return send(res, 400, { message: `Unrecognised AWS request (X-Amz-Target: ${target || 'none'})` });
    const headers = Object.fromEntries(
      Object.entries(req.headers)
        .filter(([k]) => !['host', 'content-length', 'connection'].includes(k))
        .map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)]),
    );
    const response = await fetch(`${upstream}${url.pathname}${url.search}`, {
      method: req.method ?? 'POST',
      headers,
      ...(body.length > 0 ? { body } : {}),
    });
    const out = Buffer.from(await response.arrayBuffer());
    res.writeHead(
      response.status,
      Object.fromEntries(
        [...response.headers].filter(
          ([k]) => !['content-length', 'transfer-encoding', 'connection', 'content-encoding'].includes(k),
        ),
      ),
    );
    res.end(out);
  } catch (error) {
    send(res, 500, { message: (error as Error).message });
  }
}

function localEndpoint(url: URL, res: ServerResponse, ctx: { bus: LocalEventBridge; issuer: LocalIssuer }) {
  if (url.pathname === '/_local/events') {
    const filter = {
      ...(url.searchParams.get('correlationId')
        ? { correlationId: url.searchParams.get('correlationId') ?? '' }
        : {}),
      ...(url.searchParams.get('bookingId') ? { bookingId: url.searchParams.get('bookingId') ?? '' } : {}),
      ...(url.searchParams.get('detailType') ? { detailType: url.searchParams.get('detailType') ?? '' } : {}),
    };
    return send(res, 200, ctx.bus.query(filter));
  }
  if (url.pathname === '/_local/issuer/.well-known/jwks.json') return send(res, 200, ctx.issuer.jwks);
  if (url.pathname === '/_local/issuer/.well-known/openid-configuration') {
    return send(res, 200, {
      issuer: ctx.issuer.issuer,
      jwks_uri: `${ctx.issuer.issuer}/.well-known/jwks.json`,
    });
  }
  if (url.pathname === '/_local/health') return send(res, 200, { status: 'ok' });
  return send(res, 404, { message: 'Not Found' });
}

async function seed(file: string, client: DynamoDBClient, tableName: string) {
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

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`Port ${port} is in use (set LOCAL_AWS_PORT / LOCAL_HTTP_PORT)`)
          : error,
      ),
    );
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

export { freePort };
