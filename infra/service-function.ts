import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { INVENTORY_SOURCE } from '../events/envelope.ts';
import { CHECKPOINT_PREFIX } from '../shared/adapters/table-schema.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface ServiceFunctionProps {
  /** File name under functions/, without extension. */
  entry: string;
  description: string;
  timeout?: Duration;
  memorySize?: number;
  environment?: Record<string, string>;
  reservedConcurrentExecutions?: number;
  logRetention?: RetentionDays;
  removalPolicy?: RemovalPolicy;
}

const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
/** Everything a TransactWriteItems of ours needs, plus the outbox clean-up. */
const WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:BatchWriteItem',
];

/**
 * Node built-ins whose ES module namespace is dear: an ESM `import` of one (as the AWS SDK's and
 * Powertools' ESM builds do) makes Node evaluate every lazy export to fill the namespace. For
 * `node:http` that loads undici (its WebSocket, MessageEvent... exports): about 65 internal modules
 * and 35 ms of a 140 ms DynamoDB-client cold start on the bench machine; `fs` and `process` add 30-45
 * modules each. Each is aliased to a CommonJS shim that takes the module as `require()` does
 * (`process.getBuiltinModule`), so only what the code touches is loaded. `util` is left alone: esbuild's
 * CommonJS interop reads every property descriptor, and util's lazy ones (parseArgs, diff,
 * setTraceSigInt) would load more than its ESM namespace does. The shims are
 * infra/bundling/node-<name>.cjs, resolved from the project root (esbuild's working directory).
 */
export const LAZY_BUILTINS = ['http', 'fs', 'process'] as const;
/** esbuild aliases a path's subpaths with it, so these need shims of their own. */
const SUBPATHS: Record<string, readonly string[]> = { fs: ['promises'] };

/**
 * Import path -> stand-in, for esbuild's `alias` (paths relative to the project root): the built-ins
 * above, `node:<name>` and `<name>` alike; the SDK's default credential chain, replaced by its
 * environment provider (infra/bundling/credentials-from-env.ts says why); the SDK's event-stream
 * codecs, which no operation of ours uses (infra/bundling/no-event-streams.ts); and the cache of
 * DynamoDB endpoint discovery, which is off (infra/bundling/no-endpoint-discovery.ts).
 */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  ...builtinAliases(),
  '@aws-sdk/credential-provider-node': './infra/bundling/credentials-from-env.ts',
  '@smithy/core/event-streams': './infra/bundling/no-event-streams.ts',
  '@aws-sdk/endpoint-cache': './infra/bundling/no-endpoint-discovery.ts',
};

function builtinAliases(): Record<string, string> {
  return Object.fromEntries(
    LAZY_BUILTINS.flatMap((name) =>
      [name, ...(SUBPATHS[name] ?? []).map((sub) => `${name}/${sub}`)].flatMap((path) => {
        const shim = `./infra/bundling/node-${path.replace('/', '-')}.cjs`;
        return [
          [`node:${path}`, shim],
          [path, shim],
        ];
      }),
    ),
  );
}

/**
 * How every function is bundled (the bench bundles a hello-world handler with the same options).
 * Minified without esbuild's `keepNames`, which wraps every function and class in a naming call
 * run at module load (its bundles are 6-7% larger and slower to initialise; the bench's variants
 * row measures it). Errors keep their names because each error class of ours and of the SDK and
 * Powertools sets `name` as a string; stack frames carry minified function names, which the
 * shipped source map decodes (`npm run decode-stack`). The SDK recognises its `NoOpLogger` by
 * class name in a few warnings (socket saturation, user-agent app id), which minification makes
 * silent. The source map ships without sources for offline decoding but is not enabled at run time:
 * `--enable-source-maps` adds to every cold start's module initialisation, more with sources (the
 * bench measures both on every run: BENCHMARKS.md, cold start). Built-ins with a dear ESM namespace
 * and the SDK's credential chain come through {@link BUNDLE_ALIASES}.
 */
export const SERVICE_BUNDLING = {
  format: OutputFormat.ESM,
  target: 'node24',
  platform: 'node',
  minify: true,
  keepNames: false,
  sourceMap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  // The SDK is bundled, not left to the runtime as CDK's default would: the lockfile's version runs,
  // and the bench's build variants measure what the runtime's unbundled SDK costs at init.
  externalModules: [],
  // Some bundled dependencies are CommonJS and call require(); give ESM one.
  banner: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  esbuildArgs: { '--alias': Object.entries(BUNDLE_ALIASES).map(([from, to]) => `${from}=${to}`) },
} satisfies BundlingOptions;

/** The environment every function gets (Powertools' service name and metrics namespace). */
export const SERVICE_ENVIRONMENT = {
  POWERTOOLS_SERVICE_NAME: 'inventory-service',
  POWERTOOLS_METRICS_NAMESPACE: 'InventoryService',
} as const;

/**
 * The one Lambda construct of the service: it owns the defaults (Node 24 on arm64, ESM,
 * minified, AWS SDK bundled, JSON logs in a log group with retention,
 * active tracing) and the `bind*` helpers that set a resource's environment variable and
 * grant exactly the actions the function uses, in one call.
 */
export class ServiceFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}LogGroup`, {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
    super(scope, id, {
      entry: join(root, 'functions', `${props.entry}.ts`),
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      ...(props.reservedConcurrentExecutions === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrentExecutions }),
      environment: { ...SERVICE_ENVIRONMENT, ...props.environment },
      projectRoot: root,
      depsLockFilePath: join(root, 'package-lock.json'),
      bundling: SERVICE_BUNDLING,
    });
  }

  /**
   * Sets TABLE_NAME and grants reads (GetItem, BatchGetItem, Query on the table and its
   * indexes), or those plus the writes a transaction of ours needs; `readScan` and
   * `readWriteScan` add Scan for the reconciler only (writes only when it repairs).
   */
  bindTable({
    table,
    access,
  }: {
    table: ITable;
    access: 'read' | 'readWrite' | 'readScan' | 'readWriteScan';
  }): this {
    this.addEnvironment('TABLE_NAME', table.tableName);
    const actions = [
      ...READ_ACTIONS,
      ...(access === 'readWrite' || access === 'readWriteScan' ? WRITE_ACTIONS : []),
      ...(access === 'readScan' || access === 'readWriteScan' ? ['dynamodb:Scan'] : []),
    ];
    this.addToRolePolicy(
      new PolicyStatement({ actions, resources: [table.tableArn, `${table.tableArn}/index/*`] }),
    );
    return this;
  }

  /**
   * Lets the reconciler write its per-item checkpoints, and only those (keys `AUDIT#<item>`,
   * shared/adapters/audit-store.ts), whether or not it may repair counters.
   */
  bindAuditCheckpoints(table: ITable): this {
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:PutItem'],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${CHECKPOINT_PREFIX}*`] } },
      }),
    );
    return this;
  }

  /**
   * Sets TABLE_NAME and grants BatchWriteItem on the table alone (no reads, no transactions):
   * the change-stream function writes the ledger and hold rows its changes owe
   * (shared/adapters/dynamodb/projection.ts). IAM cannot narrow it to those rows: they share
   * their item's partition key.
   */
  bindProjection(table: ITable): this {
    this.addEnvironment('TABLE_NAME', table.tableName);
    this.addToRolePolicy(
      new PolicyStatement({ actions: ['dynamodb:BatchWriteItem'], resources: [table.tableArn] }),
    );
    return this;
  }

  /** Sets IDEMPOTENCY_TABLE_NAME and grants what Powertools idempotency does with it. */
  bindIdempotencyTable(table: ITable): this {
    this.addEnvironment('IDEMPOTENCY_TABLE_NAME', table.tableName);
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        resources: [table.tableArn],
      }),
    );
    return this;
  }

  /**
   * Sets EVENT_BUS_NAME and grants PutEvents on that bus only, with our own `source` only:
   * no function of ours (the internet-facing ones included) can put a producer's event such
   * as PaymentSucceeded.
   */
  bindEventBus(bus: IEventBus): this {
    this.addEnvironment('EVENT_BUS_NAME', bus.eventBusName);
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [bus.eventBusArn],
        conditions: { StringEquals: { 'events:source': INVENTORY_SOURCE } },
      }),
    );
    return this;
  }
}
