/**
 * npm run bench [-- --quick] [--stages=contention,cost,expiry,reconcile,coldstart,saga,http]
 * Runs the benchmark stages on this machine (one module each under bench/stages/), writes
 * bench/results/latest.json (and a dated copy) and renders BENCHMARKS.md and bench/plots/
 * with bench/report.ts.
 * npm run bench -- --report-only: measures nothing; renders BENCHMARKS.md and the plots
 * again from bench/results/latest.json (after a change to the report).
 */
import './quiet-powertools.ts';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { dynamoContext, type StageContext } from './context.ts';
import { renderReport } from './report.ts';
import type { BenchResults } from './results.ts';
import { coldStart } from './stages/cold-start.ts';
import { contention } from './stages/contention.ts';
import { cost } from './stages/cost.ts';
import { expiry } from './stages/expiry.ts';
import { reconcileStage } from './stages/reconcile.ts';

const ALL_STAGES = [
  'contention',
  'cost',
  'expiry',
  'reconcile',
  'coldstart',
  'saga',
  'http',
  'waitlist',
] as const;
type Stage = (typeof ALL_STAGES)[number];

const args = process.argv.slice(2);
const root = process.cwd();
const resultsDir = join(root, 'bench', 'results');

/** BENCHMARKS.md and bench/plots/, rendered from one run's results. */
function writeReport(results: BenchResults): void {
  const report = renderReport(results);
  mkdirSync(join(root, 'bench', 'plots'), { recursive: true });
  for (const [name, svg] of Object.entries(report.plots))
    writeFileSync(join(root, 'bench', 'plots', name), svg);
  writeFileSync(join(root, 'BENCHMARKS.md'), report.markdown);
}

if (args.includes('--report-only')) {
  writeReport(JSON.parse(readFileSync(join(resultsDir, 'latest.json'), 'utf8')) as BenchResults);
  console.log('rendered BENCHMARKS.md and bench/plots/ from bench/results/latest.json');
  process.exit(0);
}

const quick = args.includes('--quick');
const stagesArg = args.find((a) => a.startsWith('--stages='))?.split('=')[1];
const stages = new Set((stagesArg?.split(',') ?? ALL_STAGES) as Stage[]);
for (const s of stages) {
  if (!ALL_STAGES.includes(s)) throw new Error(`Unknown stage ${s}; stages are ${ALL_STAGES.join(', ')}`);
}

const results: BenchResults = {
  machine: {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    date: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    loadAverage: { start: os.loadavg()[0] ?? 0, end: 0 },
  },
};
const bars = new cliProgress.MultiBar(
  {
    format: ' {stage} |{bar}| {value}/{total} {detail}',
    hideCursor: true,
    clearOnComplete: false,
    noTTYOutput: true,
    notTTYSchedule: 5000,
  },
  cliProgress.Presets.shades_classic,
);
const ctx: StageContext = { quick, root, bars };

/**
 * Runs one stage; a stage that fails is recorded (results.failed, and the report says so) and
 * the others still run, so one broken stage does not throw away the figures of the rest.
 */
async function stage(name: Stage, run: () => Promise<void>): Promise<void> {
  if (!stages.has(name)) return;
  try {
    await run();
  } catch (error) {
    results.failed = { ...results.failed, [name]: error instanceof Error ? error.message : String(error) };
    console.error(`\nstage ${name} failed:`, error);
  }
}

try {
  if (['contention', 'cost', 'expiry', 'reconcile'].some((s) => stages.has(s as Stage))) {
    const dynamo = await startDynamoDbLocal();
    const dctx = dynamoContext(ctx, dynamo);
    try {
      await stage('contention', async () => {
        results.contention = await contention(dctx);
      });
      await stage('cost', async () => {
        results.cost = await cost(dctx);
      });
      await stage('expiry', async () => {
        results.expiry = await expiry(dctx);
      });
      await stage('reconcile', async () => {
        results.reconcile = await reconcileStage(dctx);
      });
    } finally {
      dctx.client.destroy();
      await dynamo.stop();
    }
  }
  // Cold starts are timed with no emulator running, so nothing else of ours competes for the CPU.
  await stage('coldstart', async () => {
    const { entries, analysis } = await coldStart(ctx);
    results.coldStart = entries;
    results.coldStartAnalysis = analysis;
  });
  // The stages through `npm start`'s local cloud share one.
  if (stages.has('saga') || stages.has('http') || stages.has('waitlist')) {
    const { startLocalCloud } = await import('../local/cloud.ts');
    const cloud = await startLocalCloud({
      edgePort: Number(process.env.LOCAL_AWS_PORT ?? 4566),
      httpPort: Number(process.env.LOCAL_HTTP_PORT ?? 3000),
      seed: false,
      functionEnv: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
    });
    try {
      await stage('saga', async () => {
        const { saga } = await import('./stages/saga.ts');
        Object.assign(results, await saga(ctx, cloud));
      });
      await stage('http', async () => {
        const { http } = await import('./stages/http.ts');
        results.http = await http(ctx, cloud);
      });
      await stage('waitlist', async () => {
        const { waitlist } = await import('./stages/waitlist.ts');
        results.waitlist = await waitlist(ctx, cloud);
      });
    } finally {
      await cloud.stop();
    }
  }
} finally {
  bars.stop();
}

results.machine.loadAverage.end = os.loadavg()[0] ?? 0;
mkdirSync(resultsDir, { recursive: true });
const json = `${JSON.stringify(results, null, 2)}\n`;
writeFileSync(join(resultsDir, 'latest.json'), json);
writeFileSync(join(resultsDir, `${results.machine.date.slice(0, 10)}${quick ? '-quick' : ''}.json`), json);
writeReport(results);
console.log('\nwrote bench/results/latest.json, BENCHMARKS.md and bench/plots/');
process.exit(results.failed ? 1 : 0);
