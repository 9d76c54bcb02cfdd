/**
 * The cost model, pure: list prices (bench/prices.json) and counted requests per booking in,
 * dollars out. Ours is priced per request; the design we replace (a .NET service on always-on
 * Fargate tasks, RDS PostgreSQL Multi-AZ, Amazon MQ for RabbitMQ, an ALB) per hour.
 */

/** Hours in a month as AWS prices them (365 × 24 / 12). */
export const HOURS_PER_MONTH = 730;
export const MINUTES_PER_MONTH = HOURS_PER_MONTH * 60;

/** Bookings a month at which both designs are priced and plotted. */
export const VOLUMES = [10_000, 100_000, 1_000_000, 10_000_000, 100_000_000] as const;

export interface Prices {
  date: string;
  region: string;
  note: string;
  sources: Record<string, string>;
  lambda: { perMillionRequests: number; perGbSecondArm64: number };
  dynamodb: { perMillionWriteRequestUnits: number; perMillionReadRequestUnits: number };
  sqs: { perMillionRequests: number };
  eventbridge: { perMillionCustomEvents: number };
  apiGatewayHttp: { perMillionRequests: number };
  cloudwatchLogs: { perGbIngested: number };
  fargate: { perVcpuHour: number; perGbHour: number };
  rds: { instanceClass: string; perHourMultiAz: number; storagePerGbMonthMultiAz: number };
  amazonMq: { instanceType: string; deployment: string; perBrokerHour: number };
  alb: { perHour: number; perLcuHour: number };
}

/** What one booking costs in requests on one path, as the cost stage counted it. */
export interface PathCounts {
  ddb: { requests: Record<string, number>; wcu: number; rcu: number };
  lambdaInvocations: number;
  /** Median handler duration per invocation (ms), billed per GB-second. */
  lambdaMsPerInvocation: number;
  events: number;
  sqsMessages: number;
  apiRequests: number;
}

export interface OurAssumptions {
  memoryGb: number;
  /** EventBridge's SendMessage, the mapping's ReceiveMessage and DeleteMessage. */
  sqsRequestsPerMessage: number;
  /** Platform lines (START, END, REPORT) and our INFO lines, per invocation. */
  logBytesPerInvocation: number;
  /** Scheduled functions run whatever the traffic: the expiry sweeper each minute, the reconciler hourly. */
  scheduled: { name: string; invocationsPerMonth: number; msPerInvocation: number }[];
  /** Event source mappings long-poll their queues even when idle (20 s polls). */
  consumerQueues: number;
  pollersPerQueue: number;
  emptyReceivesPerPollerPerMinute: number;
}

export interface LegacyAssumptions {
  minTasks: number;
  vcpuPerTask: number;
  gbPerTask: number;
  /** Bookings a second one task handles at peak (a .NET service doing a DB transaction and two broker publishes per message). */
  bookingsPerSecondPerTask: number;
  /** Peak over average traffic. */
  peakFactor: number;
  rdsStorageGb: number;
  brokers: number;
  /** ALB capacity units in use on average (the API's reads and admin traffic; the saga goes through the broker). */
  albLcu: number;
}

export const DEFAULT_OUR_ASSUMPTIONS: OurAssumptions = {
  memoryGb: 0.5,
  sqsRequestsPerMessage: 3,
  logBytesPerInvocation: 1024,
  scheduled: [
    { name: 'expiry sweeper', invocationsPerMonth: MINUTES_PER_MONTH, msPerInvocation: 100 },
    { name: 'reconciler', invocationsPerMonth: HOURS_PER_MONTH, msPerInvocation: 2_000 },
  ],
  consumerQueues: 4,
  pollersPerQueue: 5,
  emptyReceivesPerPollerPerMinute: 3,
};

export const DEFAULT_LEGACY_ASSUMPTIONS: LegacyAssumptions = {
  minTasks: 2,
  vcpuPerTask: 1,
  gbPerTask: 2,
  bookingsPerSecondPerTask: 200,
  peakFactor: 10,
  rdsStorageGb: 100,
  brokers: 1,
  albLcu: 1,
};

const perMillion = (count: number, price: number) => (count * price) / 1e6;

/** Dollars per booking on one path, by component. */
export function ourCostPerBooking(
  counts: PathCounts,
  prices: Prices,
  a: OurAssumptions = DEFAULT_OUR_ASSUMPTIONS,
): Record<string, number> {
  const gbSeconds = counts.lambdaInvocations * a.memoryGb * (Math.ceil(counts.lambdaMsPerInvocation) / 1000);
  return {
    'DynamoDB writes': perMillion(counts.ddb.wcu, prices.dynamodb.perMillionWriteRequestUnits),
    'DynamoDB reads': perMillion(counts.ddb.rcu, prices.dynamodb.perMillionReadRequestUnits),
    'Lambda requests': perMillion(counts.lambdaInvocations, prices.lambda.perMillionRequests),
    'Lambda GB-s': gbSeconds * prices.lambda.perGbSecondArm64,
    'SQS requests': perMillion(counts.sqsMessages * a.sqsRequestsPerMessage, prices.sqs.perMillionRequests),
    'EventBridge events': perMillion(counts.events, prices.eventbridge.perMillionCustomEvents),
    'API requests': perMillion(counts.apiRequests, prices.apiGatewayHttp.perMillionRequests),
    'CloudWatch Logs':
      ((counts.lambdaInvocations * a.logBytesPerInvocation) / 1e9) * prices.cloudwatchLogs.perGbIngested,
  };
}

/** Our dollars a month that do not depend on traffic. */
export function ourFixedPerMonth(
  prices: Prices,
  a: OurAssumptions = DEFAULT_OUR_ASSUMPTIONS,
): Record<string, number> {
  const scheduledInvocations = a.scheduled.reduce((n, s) => n + s.invocationsPerMonth, 0);
  const scheduledGbSeconds = a.scheduled.reduce(
    (n, s) => n + s.invocationsPerMonth * a.memoryGb * (s.msPerInvocation / 1000),
    0,
  );
  const emptyReceives =
    a.consumerQueues * a.pollersPerQueue * a.emptyReceivesPerPollerPerMinute * MINUTES_PER_MONTH;
  return {
    'scheduled functions':
      perMillion(scheduledInvocations, prices.lambda.perMillionRequests) +
      scheduledGbSeconds * prices.lambda.perGbSecondArm64 +
      ((scheduledInvocations * a.logBytesPerInvocation) / 1e9) * prices.cloudwatchLogs.perGbIngested,
    'idle SQS polls': perMillion(emptyReceives, prices.sqs.perMillionRequests),
  };
}

/** Fargate tasks needed for a month's bookings at the assumed peak. */
export function legacyTasks(
  bookingsPerMonth: number,
  a: LegacyAssumptions = DEFAULT_LEGACY_ASSUMPTIONS,
): number {
  const peakPerSecond = (bookingsPerMonth / (MINUTES_PER_MONTH * 60)) * a.peakFactor;
  return Math.max(a.minTasks, Math.ceil(peakPerSecond / a.bookingsPerSecondPerTask));
}

/** The replaced design's dollars a month, by component. */
export function legacyPerMonth(
  bookingsPerMonth: number,
  prices: Prices,
  a: LegacyAssumptions = DEFAULT_LEGACY_ASSUMPTIONS,
): Record<string, number> {
  const tasks = legacyTasks(bookingsPerMonth, a);
  return {
    'Fargate tasks':
      tasks *
      (a.vcpuPerTask * prices.fargate.perVcpuHour + a.gbPerTask * prices.fargate.perGbHour) *
      HOURS_PER_MONTH,
    'RDS PostgreSQL Multi-AZ':
      prices.rds.perHourMultiAz * HOURS_PER_MONTH + a.rdsStorageGb * prices.rds.storagePerGbMonthMultiAz,
    'Amazon MQ for RabbitMQ': a.brokers * prices.amazonMq.perBrokerHour * HOURS_PER_MONTH,
    'Application Load Balancer': (prices.alb.perHour + a.albLcu * prices.alb.perLcuHour) * HOURS_PER_MONTH,
  };
}

export const sum = (parts: Record<string, number>) => Object.values(parts).reduce((a, b) => a + b, 0);

/**
 * The volume (bookings a month) where `cheaperBelow` stops being the cheaper design: the first
 * sign change of `cheaperBelow(n) - other(n)` on [lo, hi], found by bisection on a log scale.
 * Undefined when there is none in the range.
 */
export function crossover(
  cheaperBelow: (n: number) => number,
  other: (n: number) => number,
  lo = 1,
  hi = 1e10,
): number | undefined {
  const diff = (n: number) => cheaperBelow(n) - other(n);
  // Scan for the first bracket (step functions may cross more than once), then bisect it.
  const steps = 200;
  let a = Math.log10(lo);
  for (let i = 1; i <= steps; i++) {
    let b = Math.log10(lo) + ((Math.log10(hi) - Math.log10(lo)) * i) / steps;
    if (diff(10 ** a) < 0 && diff(10 ** b) >= 0) {
      for (let k = 0; k < 60; k++) {
        const m = (a + b) / 2;
        if (diff(10 ** m) < 0) a = m;
        else b = m;
      }
      return 10 ** b;
    }
    a = b;
  }
  return undefined;
}

export interface CostCurvePoint {
  bookingsPerMonth: number;
  oursUsd: number;
  legacyUsd: number;
}

export interface CostComparison {
  ourUsdPerBooking: number;
  ourFixedMonthly: Record<string, number>;
  legacyFixedMonthly: Record<string, number>;
  curve: CostCurvePoint[];
  crossoverBookingsPerMonth: number | undefined;
}

/** Both designs at each volume, and where ours stops being cheaper. */
export function compareDesigns(
  ourPerBooking: number,
  prices: Prices,
  ours: OurAssumptions = DEFAULT_OUR_ASSUMPTIONS,
  legacy: LegacyAssumptions = DEFAULT_LEGACY_ASSUMPTIONS,
  volumes: readonly number[] = VOLUMES,
): CostComparison {
  const fixed = ourFixedPerMonth(prices, ours);
  const oursAt = (n: number) => sum(fixed) + n * ourPerBooking;
  const legacyAt = (n: number) => sum(legacyPerMonth(n, prices, legacy));
  return {
    ourUsdPerBooking: ourPerBooking,
    ourFixedMonthly: fixed,
    legacyFixedMonthly: legacyPerMonth(0, prices, legacy),
    curve: volumes.map((n) => ({ bookingsPerMonth: n, oursUsd: oursAt(n), legacyUsd: legacyAt(n) })),
    crossoverBookingsPerMonth: crossover(oursAt, legacyAt),
  };
}

/**
 * Changes per publisher invocation assumed for the price: at a steady few bookings a second
 * the stream's batches hold about ten (at a trickle, one: the publisher's share then grows,
 * but it stays a fraction of a cent per thousand bookings).
 */
export const PUBLISHER_CHANGES_PER_INVOCATION = 10;
