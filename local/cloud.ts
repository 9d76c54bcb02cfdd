import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { apiGatewayV2, httpApiHandler, httpRoutes, type Route } from './api-gateway.ts';
import { LOCAL_CREDENTIALS, REGION } from './aws-account.ts';
import { CONSOLE_PATH, consoleHandler } from './console.ts';
import { type DynamoDbLocal, freePort, startDynamoDbLocal } from './dynamodb-local.ts';
import { edgeHandler } from './edge.ts';
import { type RunningMapping, sqsSource, startEventSourceMapping } from './event-source-mappings.ts';
import { LocalEventBridge } from './eventbridge.ts';
import { issuerUrl, LOCAL_AUDIENCE, LocalIssuer } from './issuer.ts';
import { lambdaApi } from './lambda-api.ts';
import { LocalFunction } from './lambda-runtime.ts';
import { LocalLogs } from './logs.ts';
import {
  createQueues,
  createTables,
  deadLetterQueues,
  eventBuses,
  eventRules,
  functionDefinitions,
  mappingDefinitions,
  StackModel,
  seed,
  streamMappingDefinitions,
} from './provisioning.ts';
import { startSchedules } from './schedules.ts';
import { LocalSqs } from './sqs.ts';
import { startStreamMapping } from './stream-mappings.ts';
import { readAssembly, synthesize } from './template.ts';

export { NO_OP_TYPES, SUPPORTED_TYPES } from './provisioning.ts';
export { rateSeconds } from './schedules.ts';

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
  urls: { api: string; edge: string; issuer: string; console: string };
  issuer: LocalIssuer;
  bus: LocalEventBridge;
  /** The functions by logical id (each a pool of worker-thread environments). */
  functions: ReadonlyMap<string, LocalFunction>;
  /** The HTTP API's routes, from the template. */
  routes: readonly Route[];
  /** Every line the functions logged and every invocation (FilterLogEvents, the console). */
  logs: LocalLogs;
  notEmulated: Record<string, number>;
  startupMs: number;
  stop(): Promise<void>;
}

/**
 * The whole service on one machine, driven by the synthesized template: DynamoDB Local,
 * SQS (fauxqs, in process), the EventBridge emulator, the bundled functions in worker
 * threads, the HTTP API with its JWT authorizer, event source mappings and schedules,
 * behind one AWS edge endpoint with the console. This function only composes the
 * services; each lives in its own module.
 */
export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  const started = Date.now();
  const root = options.root ?? process.cwd();
  const log = options.log ?? (() => undefined);
  const edgePort = options.edgePort ?? 4566;
  const httpPort = options.httpPort ?? 3000;
  const urls = { edge: `http://127.0.0.1:${edgePort}`, api: `http://127.0.0.1:${httpPort}` };
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
  const sqsPromise = LocalSqs.start(urls.edge);
  const stoppers: (() => Promise<void> | void)[] = [];
  let dynamo: DynamoDbLocal | undefined;
  try {
    const [assembly, dynamoLocal, sqs] = await Promise.all([synthesis, dynamoPromise, sqsPromise]);
    dynamo = dynamoLocal;
    stoppers.push(
      () => dynamoLocal.stop(),
      () => sqs.stop(),
    );
    const model = new StackModel(assembly, urls);
    const ddb = new DynamoDBClient({
      endpoint: dynamoLocal.endpoint,
      region: REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    stoppers.push(() => ddb.destroy());
    await createTables(model, ddb);
    await createQueues(model, sqs, options);

    // Functions, invoked by the API, rules, mappings, schedules and the Lambda API.
    const logs = new LocalLogs();
    const baseEnv: Record<string, string> = {
      AWS_ENDPOINT_URL: urls.edge,
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      TZ: 'UTC',
      PATH: process.env.PATH ?? '',
    };
    const mappings = mappingDefinitions(model);
    const functions = new Map<string, LocalFunction>();
    for (const { id, config, maxEnvironments } of functionDefinitions(
      model,
      mappings,
      options.functionEnv ?? {},
    )) {
      functions.set(id, new LocalFunction(config, baseEnv, maxEnvironments, logs));
    }
    stoppers.push(async () => {
      await Promise.all([...functions.values()].map((f) => f.stop()));
    });
    const invoke = (functionId: string, event: unknown, trigger = 'direct') => {
      const fn = functions.get(functionId);
      if (!fn) throw new Error(`No function ${functionId}`);
      return fn.invoke(event, trigger);
    };

    const rules = eventRules(model);
    const bus = new LocalEventBridge(eventBuses(model), rules, {
      toQueue: (queueName, body) => sqs.send(queueName, body),
      toFunction: async (functionId, event, ruleName) => {
        await invoke(functionId, event, `events:${ruleName}`).catch((error: Error) =>
          log(`[${functionId}] async invocation failed: ${error.message}`),
        );
      },
    });

    const running: RunningMapping[] = mappings.map((m) =>
      startEventSourceMapping(sqsSource(sqs, m.queueName), {
        ...m,
        invoke: (event, trigger) => invoke(m.functionId, event, trigger),
        log,
      }),
    );
    // Table streams (the change-stream publisher), with the stream mapping's own semantics;
    // a write through the edge wakes them.
    const streamMappings = streamMappingDefinitions(model).map((def) => ({
      tableName: def.tableName,
      mapping: startStreamMapping(def, {
        dynamoEndpoint: dynamoLocal.endpoint,
        invoke: (event, trigger) => invoke(def.functionId, event, trigger),
        sendToQueue: (queueName, body) => sqs.send(queueName, body),
        log,
      }),
    }));
    running.push(...streamMappings.map((s) => s.mapping));
    stoppers.push(async () => {
      await Promise.all(running.map((m) => m.stop()));
    });
    const schedules = startSchedules(rules, {
      ...(options.scheduleIntervalSeconds ? { intervalSeconds: options.scheduleIntervalSeconds } : {}),
      invoke,
      log,
    });
    stoppers.push(() => schedules.stop());

    // The HTTP API and the edge.
    const outputs = model.outputs();
    let ready = false;
    const routes = httpRoutes(model);
    const api = createServer(httpApiHandler({ routes, issuer, invoke, isReady: () => ready, log }));
    const edge = createServer(
      edgeHandler({
        dynamoEndpoint: dynamoLocal.endpoint,
        onDynamoDbWrite: (tables) => {
          for (const { tableName, mapping } of streamMappings)
            if (!tables || tables.includes(tableName)) mapping.wake();
        },
        sqs,
        bus,
        logs,
        issuer,
        lambda: lambdaApi(model, functions, logs),
        apiGatewayV2: apiGatewayV2(model, routes),
        console: consoleHandler({
          ddb,
          tableName: outputs.TableName,
          bus,
          logs,
          sqs,
          dlqs: deadLetterQueues(model),
          invoke,
        }),
      }),
    );
    await Promise.all([listen(api, httpPort), listen(edge, edgePort)]);
    stoppers.push(
      () => close(api),
      () => close(edge),
    );

    writeFileSync(
      join(localDir, 'outputs.json'),
      `${JSON.stringify({ [model.stackName]: outputs }, null, 2)}\n`,
    );
    if (options.seed !== false && outputs.TableName) {
      await seed(join(root, 'seed', 'inventory.json'), ddb, outputs.TableName);
    }
    ready = true;
    return {
      outputs,
      stackName: model.stackName,
      urls: { ...urls, issuer: issuer.issuer, console: `${urls.edge}${CONSOLE_PATH}` },
      issuer,
      bus,
      functions,
      routes,
      logs,
      notEmulated: model.notEmulated(),
      startupMs: Date.now() - started,
      async stop() {
        for (const stop of stoppers.reverse())
          await Promise.resolve()
            .then(stop)
            .catch(() => undefined);
      },
    };
  } catch (error) {
    for (const stop of stoppers.reverse())
      await Promise.resolve()
        .then(stop)
        .catch(() => undefined);
    if (dynamo === undefined) await dynamoPromise.then((d) => d.stop()).catch(() => undefined);
    await sqsPromise.then((s) => s.stop()).catch(() => undefined);
    throw error;
  }
}

/** Both servers listen on loopback only. */
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
