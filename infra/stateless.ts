import { Duration, Fn, Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { OAuthScope, ResourceServerScope, UserPool } from 'aws-cdk-lib/aws-cognito';
import { type IEventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFAULT_RESERVATION_TTL_SECONDS } from '../shared/domain/limits.ts';
import {
  DLQ_RETENTION_SECONDS,
  EVENT_MAX_AGE_SECONDS,
  IDEMPOTENCY_EXPIRY_SECONDS,
} from '../shared/domain/retention.ts';
import { RESOURCE_SERVER, ROUTE_TABLE, routeKeyOf, SCOPE_DOCS, Scope } from '../shared/http/route-table.ts';
import type { ServiceConfig } from './config.ts';

/** Stream records per publisher invocation: up to 100 changes, 10 PutEvents calls of 10. */
export const PUBLISHER_BATCH_SIZE = 100;
/** Attempts at a failing stream batch before it goes to the on-failure DLQ. */
export const PUBLISHER_RETRIES = 10;
/** A change older than this goes to the on-failure DLQ (the stream keeps records 24 h). */
export const PUBLISHER_MAX_RECORD_AGE = Duration.hours(6);

import { ServiceFunction } from './service-function.ts';
import { CONSUMER_TIMEOUT, type ConsumerQueues, type Stateful } from './stateful.ts';

/** Stage-wide throttling and the stricter per-route limits of writes. */
export const THROTTLE = { rateLimit: 200, burstLimit: 400 } as const;
export const WRITE_THROTTLE = { rateLimit: 50, burstLimit: 100 } as const;

/**
 * The sweeper runs every minute; its timeout leaves room for the schedule's jitter so that,
 * with one reserved execution, a run always ends before the next one arrives (a throttled
 * scheduled invocation would trip the throttle alarm every minute).
 */
export const EXPIRY_PERIOD = Duration.minutes(1);
export const EXPIRY_TIMEOUT = Duration.seconds(45);

/** Consumers run at most this many at once per queue, which bounds DynamoDB contention. */
export const CONSUMER_MAX_CONCURRENCY = 5;

export interface Auth {
  issuer: string;
  audience: string[];
  userPool?: UserPool;
  tokenUrl?: string;
  clientId?: string;
}

/**
 * Everything without state: the functions, the HTTP API with its JWT authorizer, the
 * rules that feed the consumer queues and the schedules.
 */
export class Stateless extends Construct {
  readonly functions: Record<string, ServiceFunction> = {};
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly auth: Auth;
  /** Every rule, with its bus when it is not the account's default bus (alarm dimensions differ). */
  readonly rules: { name: string; rule: Rule; eventBus?: IEventBus }[] = [];
  /** The HMAC key of list cursors (Secrets Manager, generated). */
  readonly cursorKey: Secret;
  /** Where each schedule rule puts invocations it could not deliver. */
  readonly scheduleDlqs: { name: string; queue: Queue }[] = [];

  constructor(scope: Construct, id: string, config: ServiceConfig, stateful: Stateful) {
    super(scope, id);
    this.auth = this.#auth(config);
    // Without a jwksUri the functions follow the issuer's OpenID discovery, as API Gateway does.
    const jwtEnv = {
      JWT_ISSUER: this.auth.issuer,
      JWT_AUDIENCE: this.auth.audience.join(','),
      ...(config.jwksUri ? { JWT_JWKS_URI: config.jwksUri } : {}),
    };
    const fn = (
      name: string,
      description: string,
      extra: Partial<ConstructorParameters<typeof ServiceFunction>[2]> = {},
    ) => {
      const created = new ServiceFunction(this, pascal(name), { entry: name, description, ...extra });
      this.functions[name] = created;
      return created;
    };

    fn('health', 'GET /health and GET /openapi.json', { memorySize: 256 });
    // The HMAC key of list cursors: generated once by Secrets Manager and resolved into the
    // function's environment at deploy time (a dynamic reference, so the value is in no
    // template or repository). Rotating it only invalidates outstanding cursors (400).
    this.cursorKey = new Secret(this, 'CursorSigningKey', {
      description: 'HMAC key of the item list nextToken cursors',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    const cursorKey = this.cursorKey;
    fn('inventory-read', 'Public inventory reads', {
      environment: { CURSOR_SIGNING_KEY: cursorKey.secretValue.unsafeUnwrap() },
    }).bindTable({ table: stateful.table, access: 'read' });
    fn('reservations', 'Reserve, release and read reservations (scopes: shared/http/route-table.ts)', {
      environment: { ...jwtEnv, RESERVATION_TTL_SECONDS: String(DEFAULT_RESERVATION_TTL_SECONDS) },
    })
      .bindTable({ table: stateful.table, access: 'readWrite' })
      .bindIdempotencyTable(stateful.idempotencyTable);
    fn('inventory-admin', 'Stock administration (inventory/admin)', { environment: jwtEnv }).bindTable({
      table: stateful.table,
      access: 'readWrite',
    });
    this.#publisher(stateful);
    this.#waitlistServer(stateful);
    for (const queues of stateful.consumerQueues) this.#consumer(queues, stateful, config);
    // One sweeper and one reconciler at a time, when the account can spare the reservation
    // (-c reservedConcurrency=true). Off by default: new accounts must keep 10 unreserved
    // executions and a reservation can fail the deploy. Overlapping runs are safe anyway
    // (every write is conditional); consumers are bounded by their mappings' MaximumConcurrency.
    const singleton = config.reservedConcurrency ? { reservedConcurrentExecutions: 1 } : {};
    const expire = fn('expire-reservations', 'Expires due holds every minute', {
      timeout: EXPIRY_TIMEOUT,
      environment: { EXPIRY_BATCH_LIMIT: '200' },
      ...singleton,
    }).bindTable({ table: stateful.table, access: 'readWrite' });
    // Reads the ledger since its checkpoints and writes only them, unless it may repair
    // (-c reconcileRepair=true), which adds the item writes.
    const reconcile = fn(
      'reconcile',
      'Checks stock counters against the ledger since checkpoints; reports drift',
      {
        timeout: Duration.minutes(5),
        memorySize: 1024,
        ...(config.reconcileRepair ? { environment: { RECONCILE_REPAIR: 'true' } } : {}),
        ...singleton,
      },
    )
      .bindTable({ table: stateful.table, access: config.reconcileRepair ? 'readWrite' : 'read' })
      .bindAuditCheckpoints(stateful.table);
    this.#schedule('ExpirySchedule', expire, EXPIRY_PERIOD);
    this.#schedule('ReconcileSchedule', reconcile, Duration.hours(1));

    const { api, stage } = this.#httpApi(config);
    this.api = api;
    this.stage = stage;
  }

  #consumer({ event, queue }: ConsumerQueues, stateful: Stateful, config: ServiceConfig): void {
    const consumer = new ServiceFunction(this, pascal(event.entry), {
      entry: event.entry,
      description: `Consumes ${event.detailType} from its SQS queue`,
      timeout: CONSUMER_TIMEOUT,
      environment: {
        RESERVATION_TTL_SECONDS: String(DEFAULT_RESERVATION_TTL_SECONDS),
        IDEMPOTENCY_EXPIRY_SECONDS: String(IDEMPOTENCY_EXPIRY_SECONDS),
      },
    })
      .bindTable({ table: stateful.table, access: 'readWrite' })
      .bindIdempotencyTable(stateful.idempotencyTable);
    this.functions[event.entry] = consumer;
    consumer.addEventSource(
      new SqsEventSource(queue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(0),
        reportBatchItemFailures: true,
        maxConcurrency: CONSUMER_MAX_CONCURRENCY,
      }),
    );
    const queues = stateful.consumerQueues.find((q) => q.event === event);
    // Only the producer's source (and account, when configured: EventBridge sets it) matches.
    const source = config.producerSources[event.producer];
    const account = config.producerAccounts[event.producer];
    const rule = new Rule(this, `${event.detailType}Rule`, {
      eventBus: stateful.bus,
      description: `${source} ${event.detailType} -> its queue`,
      eventPattern: {
        source: [source],
        detailType: [event.detailType],
        ...(account ? { account: [account] } : {}),
      },
      targets: [
        new SqsQueue(queue, {
          ...(queues ? { deadLetterQueue: queues.targetDlq } : {}),
          retryAttempts: 185,
          maxEventAge: Duration.seconds(EVENT_MAX_AGE_SECONDS),
        }),
      ],
    });
    this.rules.push({ name: event.detailType, rule, eventBus: stateful.bus });
  }

  /**
   * The change-stream publisher: it writes the ledger and hold rows committed decisions
   * owe, and it is the only function that puts events on the bus. Stream order is kept per
   * shard (one concurrent batch per shard); a change it cannot handle is reported and
   * retried from there, the batch bisected, for at most PUBLISHER_RETRIES attempts or
   * PUBLISHER_MAX_RECORD_AGE, then handed to the on-failure DLQ (alarmed). Only booking
   * records and items reach it (filter criteria): the ledger and hold rows it writes never
   * invoke it. (A third consumer of the stream would exceed the two readers per shard
   * DynamoDB Streams supports, so the projection lives here rather than in a function of
   * its own.)
   */
  #publisher(stateful: Stateful): void {
    const publisher = new ServiceFunction(this, 'PublishChanges', {
      entry: 'publish-changes',
      description: 'Writes the ledger and hold rows of committed changes and publishes their events',
      timeout: Duration.seconds(30),
    })
      .bindEventBus(stateful.bus)
      .bindProjection(stateful.table);
    this.functions['publish-changes'] = publisher;
    publisher.addEventSource(
      tableStreamSource(stateful, stateful.publisherDlq, {
        entity: { S: FilterRule.or('RESERVATION', 'ITEM') },
      }),
    );
  }

  /**
   * The waitlist server: item rows whose waitlist is not empty reach it from the table
   * stream (filter criteria); when units were freed it serves the item's waitlist in order
   * (shared/domain/use-cases/serve-waitlist.ts). Failures retry from the failed change,
   * bounded like the publisher's, then go to their own on-failure DLQ (alarmed).
   */
  #waitlistServer(stateful: Stateful): void {
    const server = new ServiceFunction(this, 'ServeWaitlist', {
      entry: 'serve-waitlist',
      description: 'Serves waitlisted bookings when units of their items are freed',
      timeout: Duration.seconds(60),
      environment: { RESERVATION_TTL_SECONDS: String(DEFAULT_RESERVATION_TTL_SECONDS) },
    }).bindTable({ table: stateful.table, access: 'readWrite' });
    this.functions['serve-waitlist'] = server;
    server.addEventSource(
      tableStreamSource(stateful, stateful.waitlistServerDlq, {
        entity: { S: FilterRule.isEqual('ITEM') },
        waitlistedQuantity: { N: FilterRule.notEquals('0') },
      }),
    );
  }

  #schedule(id: string, target: ServiceFunction, every: Duration): void {
    const dlq = new Queue(this, `${id}Dlq`, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.seconds(DLQ_RETENTION_SECONDS),
    });
    this.scheduleDlqs.push({ name: `${id}Dlq`, queue: dlq });
    const rule = new Rule(this, id, {
      description: `Runs ${target.node.id} every ${every.toHumanString()}`,
      schedule: Schedule.rate(every),
      targets: [
        new LambdaFunction(target, {
          deadLetterQueue: dlq,
          retryAttempts: 2,
          maxEventAge: Duration.minutes(5),
        }),
      ],
    });
    this.rules.push({ name: id, rule });
  }

  #auth(config: ServiceConfig): Auth {
    if (config.jwtIssuer) return { issuer: config.jwtIssuer, audience: config.jwtAudience };
    const stack = Stack.of(this);
    const userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      passwordPolicy: {
        minLength: 12,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
      },
    });
    // Every scope of the route table, described from it.
    const scopes = Object.fromEntries(
      Object.values(Scope).map((scope) => [
        scope,
        new ResourceServerScope({
          scopeName: scope.slice(RESOURCE_SERVER.length + 1),
          scopeDescription: SCOPE_DOCS[scope].allows.slice(0, 256),
        }),
      ]),
    ) as Record<Scope, ResourceServerScope>;
    const server = userPool.addResourceServer('ResourceServer', {
      identifier: RESOURCE_SERVER,
      scopes: Object.values(scopes),
    });
    // A back end (the booking service) acts as a service; operators administer stock. End-user
    // apps (inventory/write) get their own app clients from the team that runs them.
    const client = userPool.addClient('ServiceClient', {
      generateSecret: true,
      oAuth: {
        flows: { clientCredentials: true },
        scopes: [OAuthScope.resourceServer(server, scopes[Scope.Service])],
      },
    });
    userPool.addClient('OperatorClient', {
      generateSecret: true,
      oAuth: {
        flows: { clientCredentials: true },
        scopes: [OAuthScope.resourceServer(server, scopes[Scope.Admin])],
      },
    });
    const domain = userPool.addDomain('Domain', {
      // Globally unique per region: the stack's own UUID (lowercase hex and hyphens).
      cognitoDomain: { domainPrefix: `inv-${config.stage}-${Fn.select(2, Fn.split('/', stack.stackId))}` },
    });
    return {
      issuer: `https://cognito-idp.${stack.region}.amazonaws.com/${userPool.userPoolId}`,
      audience: [client.userPoolClientId],
      userPool,
      clientId: client.userPoolClientId,
      tokenUrl: `${domain.baseUrl()}/oauth2/token`,
    };
  }

  /**
   * Payload size: an HTTP API has a fixed 10 MB request cap that cannot be lowered here (no
   * request validation or body limit setting), so the functions enforce their own, much
   * smaller JSON body limit (shared/http) and answer 413; the stage throttles bound volume.
   */
  #httpApi(config: ServiceConfig): { api: HttpApi; stage: HttpStage } {
    const api = new HttpApi(this, 'HttpApi', {
      apiName: `inventory-${config.stage}`,
      createDefaultStage: false,
      ...(config.corsOrigins.length > 0
        ? {
            corsPreflight: {
              allowOrigins: config.corsOrigins,
              allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.PUT],
              allowHeaders: ['authorization', 'content-type', 'x-correlation-id'],
              exposeHeaders: ['x-correlation-id'],
              maxAge: Duration.hours(1),
            },
          }
        : {}),
    });
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: RetentionDays.ONE_MONTH });
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      throttle: THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            ip: '$context.identity.sourceIp',
            userAgent: '$context.identity.userAgent',
            sub: '$context.authorizer.claims.sub',
            errorMessage: '$context.error.message',
            authorizerError: '$context.authorizer.error',
          }),
        ),
      },
    });
    // Per-route limits for writes; the construct only exposes the stage default.
    const routeSettings = Object.fromEntries(
      ROUTE_TABLE.filter((r) => r.scopes.length > 0).map((r) => [
        routeKeyOf(r),
        { ThrottlingRateLimit: WRITE_THROTTLE.rateLimit, ThrottlingBurstLimit: WRITE_THROTTLE.burstLimit },
      ]),
    );
    (stage.node.defaultChild as CfnStage).addPropertyOverride('RouteSettings', routeSettings);

    const authorizer = new HttpJwtAuthorizer('JwtAuthorizer', this.auth.issuer, {
      jwtAudience: this.auth.audience,
      identitySource: ['$request.header.Authorization'],
    });
    const integrations = new Map<string, HttpLambdaIntegration>();
    for (const route of ROUTE_TABLE) {
      const target = this.functions[route.fn];
      if (!target) throw new Error(`No function ${route.fn}`);
      let integration = integrations.get(route.fn);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${pascal(route.fn)}Integration`, target);
        integrations.set(route.fn, integration);
      }
      const created = api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
        ...(route.scopes.length > 0 ? { authorizer, authorizationScopes: [...route.scopes] } : {}),
      });
      // API Gateway refuses a stage whose RouteSettings name a route that does not exist yet
      // ("Unable to find Route by key … within the provided RouteSettings"), and CloudFormation
      // creates routes late (after functions, integrations, authorizer): the stage waits for them.
      if (`${route.method} ${route.path}` in routeSettings) {
        for (const r of created) stage.node.addDependency(r);
      }
    }
    return { api, stage };
  }
}

const pascal = (name: string) =>
  name
    .split('-')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');

/**
 * A mapping of the table's stream, as both stream consumers take it: batches of
 * PUBLISHER_BATCH_SIZE in order per shard, failures reported per record and retried from
 * there (bisecting) for PUBLISHER_RETRIES attempts or PUBLISHER_MAX_RECORD_AGE, then the
 * batch's coordinates to `dlq`; only new images matching `newImage` invoke it.
 */
function tableStreamSource(
  stateful: Stateful,
  dlq: Queue,
  newImage: Record<string, unknown>,
): DynamoEventSource {
  return new DynamoEventSource(stateful.table, {
    startingPosition: StartingPosition.TRIM_HORIZON,
    batchSize: PUBLISHER_BATCH_SIZE,
    maxBatchingWindow: Duration.seconds(0),
    bisectBatchOnError: true,
    reportBatchItemFailures: true,
    retryAttempts: PUBLISHER_RETRIES,
    maxRecordAge: PUBLISHER_MAX_RECORD_AGE,
    parallelizationFactor: 1,
    onFailure: new SqsDlq(dlq),
    filters: [FilterCriteria.filter({ dynamodb: { NewImage: newImage } })],
  });
}
