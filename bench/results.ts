import type { ColdStartAnalysis, ColdStartEntry } from './stages/cold-start.ts';
import type { ContentionResult } from './stages/contention.ts';
import type { CostResult } from './stages/cost.ts';
import type { ExpiryResult } from './stages/expiry.ts';
import type { HttpResult } from './stages/http.ts';
import type { ReconcileCostResult } from './stages/reconcile.ts';
import type { SagaResult, SustainedResult } from './stages/saga.ts';
import type { WaitlistResult } from './stages/waitlist.ts';

export interface Machine {
  cores: number;
  cpu: string;
  memoryGiB: number;
  node: string;
  platform: string;
  date: string;
  mode: 'quick' | 'full';
  /** 1-minute load averages when the run started and ended. */
  loadAverage: { start: number; end: number };
}

/** Everything one run measured: written as bench/results/latest.json and rendered by report.ts. */
export interface BenchResults {
  machine: Machine;
  contention?: ContentionResult;
  cost?: CostResult;
  expiry?: ExpiryResult;
  saga?: SagaResult;
  sustained?: SustainedResult;
  waitlist?: WaitlistResult;
  /** POST /api/inventory/reserve through the local HTTP API, today and the replaced design (reconstructed). */
  http?: HttpResult;
  coldStart?: ColdStartEntry[];
  coldStartAnalysis?: ColdStartAnalysis;
  reconcile?: ReconcileCostResult;
  /** Stages that threw, with their error message. */
  failed?: Record<string, string>;
}

/** The baseline's name among the cold-start entries. */
export const HELLO_WORLD = 'hello-world';
/** The names of the cold-start stage's build variants (the stage builds them, the report reads them). */
export const BUILD_VARIANTS = {
  notMinified: 'not minified',
  keepNames: 'minified, names kept (esbuild keepNames)',
  withSources: 'minified, map with sources',
  noStandIns: 'as deployed but without the infra/bundling stand-ins',
  sdkFromRuntime: 'as deployed but the AWS SDK left to the runtime (external)',
  deployed: 'as deployed: minified, no names kept, map without sources',
} as const;

/** Budgets from the performance issue, checked in the report. */
export const BUDGETS = {
  bundleKB: 250,
  initMsMedian: 40,
  p50Ratio: 1.3,
  goodputRatio: 0.75,
} as const;
