import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { PathCounts, Prices } from '../../../bench/cost-model.ts';
import { machineWasLoaded, renderReport } from '../../../bench/report.ts';
import { type BenchResults, BUILD_VARIANTS } from '../../../bench/results.ts';
import type { ColdStartEntry } from '../../../bench/stages/cold-start.ts';
import { summariseContention } from '../../../bench/stages/contention.ts';
import { priceCounts } from '../../../bench/stages/cost.ts';

const prices = JSON.parse(
  readFileSync(new URL('../../../bench/prices.json', import.meta.url), 'utf8'),
) as Prices;

const counts = (wcu: number): PathCounts => ({
  ddb: { requests: { TransactWriteItems: 2, GetItem: 2 }, wcu, rcu: 2 },
  lambdaInvocations: 2,
  lambdaMsPerInvocation: 12,
  events: 2,
  sqsMessages: 2,
  apiRequests: 0,
});

const timing = (init: number, ready: number) => ({
  initMsMedian: init,
  initMsP90: init * 1.2,
  readyMsMedian: ready,
  readyMsP90: ready * 1.2,
});
const entry = (fn: string, kb: number, init: number): ColdStartEntry => ({
  function: fn,
  bundleKB: kb,
  sourceMapKB: kb * 2,
  ...timing(init, init + 50),
  withSourceMaps: timing(init * 1.3, init * 1.3 + 50),
});

function results(load: number): BenchResults {
  const row = (
    impl: 'ours' | 'bare-transaction' | 'bare-transaction-with-reasons' | 'naive-read-then-write',
    concurrency: number,
    p50Ms: number,
  ) => ({
    impl,
    concurrency,
    attempts: 500,
    repeats: 1,
    successes: 100,
    oversold: impl === 'naive-read-then-write' && concurrency > 1 ? 400 : 0,
    goodputPerSecond: 1000 / p50Ms,
    p50Ms,
    p99Ms: p50Ms * 3,
  });
  return {
    machine: {
      cores: 2,
      cpu: 'test cpu',
      memoryGiB: 8,
      node: 'v24.0.0',
      platform: 'linux x64',
      date: '2026-11-25T17:00:00.000Z',
      mode: 'quick',
      loadAverage: { start: load, end: load },
    },
    contention: summariseContention([
      row('ours', 1, 3),
      row('bare-transaction', 1, 2),
      row('bare-transaction-with-reasons', 1, 2.5),
      row('naive-read-then-write', 1, 1),
      row('ours', 10, 24),
      row('bare-transaction', 10, 20),
      row('naive-read-then-write', 10, 10),
    ]),
    cost: priceCounts(
      { happy: counts(20), compensation: counts(24), expiry: counts(16), waitlist: counts(30) },
      prices,
      20,
    ),
    coldStart: [entry('hello-world', 0.3, 10), entry('Health', 120, 30), entry('Reservations', 540, 90)],
    coldStartAnalysis: {
      samples: 20,
      node: 'v24.0.0',
      bundling: {},
      imports: [{ function: 'Reservations', bundleKB: 540, packages: [{ name: '@smithy/core', KB: 139 }] }],
      floors: [
        {
          floor: 'floor: Powertools logger + metrics',
          loads: 'logger',
          bundleKB: 37,
          initMsMedian: 25,
          initMsP90: 30,
          initCpuMsMedian: 22,
        },
        { floor: 'floor: both', loads: 'client and logger', bundleKB: 240, initMsMedian: 70, initMsP90: 80 },
      ],
      variants: [
        {
          variant: 'minified',
          bundleKB: 520,
          sourceMapKB: 900,
          initMsMedian: 90,
          initMsMedianWithSourceMaps: 110,
        },
      ],
    },
  };
}

describe('the report rendered from one run', () => {
  it('states the ratios of ours to the bare transaction and the oversold units', () => {
    const { markdown } = renderReport(results(0.5));
    expect(markdown).toContain('| 1 | 1.50 |');
    expect(markdown).toContain('| 10 | 1.20 |');
    expect(markdown).toContain('Oversold units by our reserve, worst run: **0**.');
  });

  it('reads the build decisions off the variants of the same run, each from its own row', () => {
    const r = results(0.5);
    const variant = (name: string, bundleKB: number, init: number, withMaps: number) => ({
      variant: name,
      bundleKB,
      sourceMapKB: 500,
      initMsMedian: init,
      initMsMedianWithSourceMaps: withMaps,
    });
    const analysis = r.coldStartAnalysis;
    if (!analysis) throw new Error('fixture has no analysis');
    const { markdown } = renderReport({
      ...r,
      coldStartAnalysis: {
        ...analysis,
        variants: [
          variant(BUILD_VARIANTS.withSources, 348, 40, 50),
          variant(BUILD_VARIANTS.noStandIns, 506, 60, 69),
          variant(BUILD_VARIANTS.sdkFromRuntime, 171, 64, 70),
          variant(BUILD_VARIANTS.deployed, 348, 40, 44),
        ],
      },
    });
    // The deployed row, not another whose name starts "as deployed".
    expect(markdown).toContain('10.0% (40.0 -> 44.0 ms) slower with the map as deployed now');
    expect(markdown).toContain('the bundle is 348 -> 171 KB');
    expect(markdown).toContain('the init median 40.0 -> 64.0 ms (1.60×)');
    expect(markdown).toContain('the SDK stays bundled');
  });

  it("gives each repeat's own ratio beside the median's, where the run kept them", () => {
    const r = results(0.5);
    const { markdown } = renderReport({
      ...r,
      contention: r.contention && { ...r.contention, p50RatioByRepeat: { c1: [1.5, 1.25], c10: [1.2] } },
    });
    expect(markdown).toContain('| 1 | 1.50 | 0.67 | 1.20 | 1.50 / 1.25 |');
    expect(markdown).toContain('| 10 | 1.20 | 0.83 | - | 1.20 |');
  });

  it('sets ours beside the bare transaction that asks for the reasons too, where that was measured', () => {
    const { markdown } = renderReport(results(0.5));
    // 3 / 2.5 at concurrency 1; nothing measured at 10.
    expect(markdown).toContain('| 1 | 1.50 | 0.67 | 1.20 |');
    expect(markdown).toContain('| 10 | 1.20 | 0.83 | - | - |');
  });

  it('checks every bundle and initialisation against the budgets, hello world as the baseline', () => {
    const { markdown, plots } = renderReport(results(0.5));
    const line = (fn: string) => markdown.split('\n').find((l) => l.startsWith(`| ${fn} |`)) ?? '';
    expect(line('Health')).toMatch(/\| pass \| pass \|$/);
    expect(line('Reservations')).toMatch(/\| \*\*FAIL\*\* \| \*\*FAIL\*\* \|$/);
    // Ready times over hello world's: 140 / 60.
    expect(line('Reservations')).toContain('| 2.33 |');
    expect(Object.keys(plots)).toEqual(expect.arrayContaining(['bundles.svg', 'cold-start.svg']));
  });

  it('states the floors against the budgets and what a function with a table cannot go below', () => {
    const { markdown } = renderReport(results(0.5));
    const line = (floor: string) => markdown.split('\n').find((l) => l.startsWith(`| ${floor} |`)) ?? '';
    expect(line('floor: Powertools logger + metrics')).toMatch(
      /\| 25\.0 \/ 30\.0 \| 22\.0 \| pass \| pass \|$/,
    );
    expect(line('floor: both')).toMatch(/\| pass \| \*\*FAIL\*\* \|$/);
    expect(markdown).toContain('cannot initialise in less than');
    expect(markdown).toContain('70.0 ms median and 240 KB');
    expect(markdown).toContain('That is above the 40 ms init budget: no change to our code meets it');
    expect(markdown).toContain('It leaves 10 KB of the 250 KB size budget to them.');
  });

  it('sets the first answer of a fresh process beside its warm one, where it was measured', () => {
    const r = results(0.5);
    expect(renderReport(r).markdown).not.toContain('### First answer');
    if (r.coldStartAnalysis)
      r.coldStartAnalysis.firstAnswers = {
        warmUpRounds: 3,
        entries: [
          {
            function: 'InventoryRead',
            event: 'GET /api/inventory',
            initMsMedian: 35,
            firstAnswerMsMedian: 30,
            firstAnswerMsP90: 40,
            coldMsMedian: 66,
            warmAnswerMsMedian: 10,
          },
        ],
      };
    const { markdown } = renderReport(r);
    expect(markdown).toContain('after 3 untimed rounds of each');
    expect(markdown).toContain(
      '| InventoryRead | GET /api/inventory | 35.0 | 30.0 / 40.0 | 10.0 | 20.0 | 66.0 |',
    );
  });

  it('says what the floor leaves of each budget where it is below them', () => {
    const r = results(0.5);
    const floors = r.coldStartAnalysis?.floors ?? [];
    Object.assign(floors[1] ?? {}, { initMsMedian: 26.5, bundleKB: 260 });
    const { markdown } = renderReport(r);
    expect(markdown).toContain('That leaves 13.5 ms of the 40 ms init budget to our code');
    expect(markdown).toContain('The floor alone exceeds the 250 KB size budget.');
  });

  it('plots both designs on log-log axes with the crossover marked, and says where it is', () => {
    const r = results(0.5);
    const { markdown, plots } = renderReport(r);
    const x = r.cost?.crossoverBookingsPerMonth as number;
    expect(x).toBeGreaterThan(10_000);
    expect(markdown).toMatch(/\*\*Crossover: [\d.]+[kM] bookings a month\*\*/);
    expect(plots['cost-crossover.svg']).toContain('stroke-dasharray');
    expect(plots['cost-crossover.svg']).toContain('crossover');
    expect(markdown).toContain('bench/plots/cost-crossover.svg');
  });

  it('says when the machine was loaded, and not when it was not', () => {
    expect(machineWasLoaded(results(5))).toBe(true);
    expect(renderReport(results(5)).markdown).toContain('The machine was loaded during this run');
    expect(machineWasLoaded(results(0.5))).toBe(false);
    expect(renderReport(results(0.5)).markdown).not.toContain('The machine was loaded');
    // The last stages load the machine themselves: a high load at the end alone is not other work
    const selfLoaded = results(0.5);
    selfLoaded.machine.loadAverage.end = 5;
    expect(machineWasLoaded(selfLoaded)).toBe(false);
  });

  it("renders the reconciler's cost per run when the stage ran", () => {
    const cost = { requests: 3, rcu: 1.5, wcu: 0, ms: 12 };
    const r = {
      ...results(0.5),
      reconcile: {
        scale: 20,
        items: 10,
        hourlyBookings: 50,
        rows: [
          {
            multiple: 1,
            bookings: 20,
            tableRows: 80,
            tableMiB: 0.01,
            fullScan: cost,
            firstAudit: { ...cost, ledgerRowsRead: 40, drifts: 0 },
            idleAudit: cost,
            hourlyAudit: cost,
          },
        ],
      },
    };
    const { markdown } = renderReport(r);
    expect(markdown).toContain('## 6. Reconciler cost per run');
    expect(markdown).toContain(
      '| 1× (20 bookings) | 80 (0.01) | 3 req, 1.5 RCU, 0 WCU, 12 ms | 3 req, 1.5 RCU, 0 WCU, 12 ms, 40 ledger rows |',
    );
    expect(renderReport(results(0.5)).markdown).not.toContain('Reconciler cost');
  });

  it('says how many cold starts fell inside the saga measurement', () => {
    const saga = {
      bookings: 60,
      inFlight: 10,
      toReservedMs: { p50: 400, p99: 900 },
      toConfirmedMs: { p50: 500, p99: 1000 },
    };
    const { markdown } = renderReport({ ...results(0.5), saga: { ...saga, coldStarts: 0 } });
    expect(markdown).toContain('after a warm-up at the same flow (cold starts inside the measurement: 0).');
    expect(markdown).toContain('| BookingCreated put | InventoryReserved published | 400.0 | 900.0 |');
    expect(renderReport({ ...results(0.5), saga }).markdown).not.toContain('cold starts inside');
  });

  it('shows the HTTP reserve latency today and reconstructed before, with their ratio', () => {
    const { markdown } = renderReport({
      ...results(0.5),
      http: {
        requests: 200,
        reserveP50Ms: 40,
        reserveP99Ms: 90,
        beforeReserveP50Ms: 60,
        beforeReserveP99Ms: 120,
        p50Ratio: 1.5,
      },
    });
    expect(markdown).toContain('| today: commit, answer (the stream publishes) | 40.0 | 90.0 |');
    expect(markdown).toContain(
      '| before (reconstructed): commit, PutEvents, mark published, answer | 60.0 | 120.0 |',
    );
    expect(markdown).toContain('p50 before / today: **1.50x**');
    expect(renderReport(results(0.5)).markdown).not.toContain('POST /api/inventory/reserve` through');
  });

  it('names the stages that failed instead of leaving their sections out silently', () => {
    const { markdown } = renderReport({
      ...results(0.5),
      failed: { saga: 'timeout waiting for InventoryReserved:x' },
    });
    expect(markdown).toContain('**Stages that failed in this run**');
    expect(markdown).toContain('saga (timeout waiting for InventoryReserved:x)');
    expect(renderReport(results(0.5)).markdown).not.toContain('Stages that failed');
  });

  it('keeps the fields scripts compare runs by', () => {
    const r = results(0.5);
    const json = JSON.parse(JSON.stringify(r));
    expect(json.contention.p50Ratio.c1).toBeCloseTo(1.5);
    expect(json.contention.p50Ratio.c10).toBeCloseTo(1.2);
    expect(json.contention.oversold).toBe(0);
    expect(json.coldStart[1]).toMatchObject({ function: 'Health', bundleKB: 120, initMsMedian: 30 });
    expect(json.cost.happy.wcu).toBe(20);
    expect(json.cost.happy.usdPerMillion).toBeGreaterThan(0);
    expect(json.cost.crossoverBookingsPerMonth).toBeGreaterThan(0);
  });
});
