import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  compareDesigns,
  crossover,
  DEFAULT_LEGACY_ASSUMPTIONS,
  DEFAULT_OUR_ASSUMPTIONS,
  HOURS_PER_MONTH,
  legacyPerMonth,
  legacyTasks,
  ourCostPerBooking,
  type PathCounts,
  type Prices,
  sum,
  VOLUMES,
} from '../../../bench/cost-model.ts';

const prices = JSON.parse(
  readFileSync(new URL('../../../bench/prices.json', import.meta.url), 'utf8'),
) as Prices;

const happy: PathCounts = {
  ddb: { requests: { TransactWriteItems: 2 }, wcu: 20, rcu: 4 },
  lambdaInvocations: 2,
  lambdaMsPerInvocation: 9.2,
  events: 2,
  sqsMessages: 2,
  apiRequests: 0,
};

describe('cost model', () => {
  it('prices every counted request of a booking by its list price', () => {
    // Prepare / Act
    const parts = ourCostPerBooking(happy, prices);
    // Assess: each component by hand from bench/prices.json
    expect(parts['DynamoDB writes']).toBeCloseTo((20 * 0.625) / 1e6, 12);
    expect(parts['DynamoDB reads']).toBeCloseTo((4 * 0.125) / 1e6, 12);
    expect(parts['Lambda requests']).toBeCloseTo((2 * 0.2) / 1e6, 12);
    // Billed per started millisecond: 9.2 ms is 10 ms, at 0.5 GB.
    expect(parts['Lambda GB-s']).toBeCloseTo(2 * 0.5 * 0.01 * 0.0000133334, 12);
    expect(parts['SQS requests']).toBeCloseTo((2 * 3 * 0.4) / 1e6, 12);
    expect(parts['EventBridge events']).toBeCloseTo((2 * 1.0) / 1e6, 12);
    expect(parts['API requests']).toBe(0);
    expect(parts['CloudWatch Logs']).toBeCloseTo(((2 * 1024) / 1e9) * 0.5, 12);
  });

  it('prices the replaced design per hour, whatever the traffic up to what two tasks carry', () => {
    const monthly = legacyPerMonth(0, prices);
    expect(monthly['Fargate tasks']).toBeCloseTo(2 * (0.04048 + 2 * 0.004445) * HOURS_PER_MONTH, 6);
    expect(monthly['RDS PostgreSQL Multi-AZ']).toBeCloseTo(0.304 * HOURS_PER_MONTH + 100 * 0.23, 6);
    expect(monthly['Amazon MQ for RabbitMQ']).toBeCloseTo(0.288 * HOURS_PER_MONTH, 6);
    expect(monthly['Application Load Balancer']).toBeCloseTo((0.0225 + 0.008) * HOURS_PER_MONTH, 6);
    expect(sum(legacyPerMonth(100_000_000, prices))).toBeCloseTo(sum(monthly), 6);
  });

  it('adds Fargate tasks only when the peak outgrows them', () => {
    // 100 M a month is 38/s on average, 380/s at a 10x peak: two tasks of 200/s.
    expect(legacyTasks(100_000_000)).toBe(2);
    // 1 G a month: 3,805/s at peak, 20 tasks.
    expect(legacyTasks(1_000_000_000)).toBe(20);
    expect(legacyTasks(0, { ...DEFAULT_LEGACY_ASSUMPTIONS, minTasks: 3 })).toBe(3);
  });

  it('finds where a per-booking price overtakes a fixed bill', () => {
    // 500 $ fixed against 0.001 $ a booking: 500,000 bookings.
    const at = crossover(
      (n) => n * 0.001,
      () => 500,
    );
    expect(at).toBeDefined();
    expect(at as number).toBeCloseTo(500_000, -1);
    // Never crosses: the cheaper line stays cheaper.
    expect(
      crossover(
        () => 1,
        () => 2,
      ),
    ).toBeUndefined();
  });

  it('compares both designs at 10 k to 100 M bookings and marks the crossover where they cost the same', () => {
    const perBooking = sum(ourCostPerBooking(happy, prices));
    const c = compareDesigns(perBooking, prices);
    expect(c.curve.map((p) => p.bookingsPerMonth)).toEqual([...VOLUMES]);
    // Ours grows with traffic, the replaced design does not (up to its fleet's capacity).
    expect(c.curve[0]?.oursUsd).toBeLessThan(c.curve[0]?.legacyUsd ?? 0);
    const x = c.crossoverBookingsPerMonth as number;
    const oursAtX = sum(c.ourFixedMonthly) + x * perBooking;
    expect(oursAtX / sum(legacyPerMonth(x, prices))).toBeCloseTo(1, 6);
    expect(sum(c.ourFixedMonthly)).toBeGreaterThan(0);
    expect(DEFAULT_OUR_ASSUMPTIONS.scheduled.length).toBe(2);
  });
});
