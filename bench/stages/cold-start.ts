/**
 * Cold start: for each bundle `cdk synth` produces, and for a hello-world handler bundled with
 * the same options, a fresh Node process per sample; wall time from spawn to "handler ready"
 * (the module imported, its `handler` a function) and the import alone, measured inside the
 * process. Every function gets the environment variables of the synthesized template (resource
 * references resolved to their logical ids); each sample runs with and without
 * `--enable-source-maps`, interleaved so a busy machine slows both alike.
 * Also: which packages fill each bundle (esbuild's metafile), for the per-route work that lives
 * in functions/, and what a cold invocation adds to init for one function of each kind
 * (first-answer.ts). `BENCH_COLD_SAMPLES` lowers the sample count (20) while working on the stage.
 */
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build } from 'esbuild';
import { BUNDLE_ALIASES, SERVICE_BUNDLING, SERVICE_ENVIRONMENT } from '../../infra/service-function.ts';
import { type Resource, synthesize } from '../../local/template.ts';
import { runNode, type StageContext } from '../context.ts';
import { BUILD_VARIANTS, HELLO_WORLD } from '../results.ts';
import { percentile } from '../stats.ts';
import { FIRST_ANSWER_CASES, type FirstAnswers, firstAnswers } from './first-answer.ts';

export interface Timing {
  /** Spawn to "handler ready" (ms). */
  readyMsMedian: number;
  readyMsP90: number;
  /** The import of the bundle alone, inside the process (ms): module initialisation. */
  initMsMedian: number;
  initMsP90: number;
  /**
   * The CPU time (user + system) the process spent on that import (ms): what the wall time is when
   * the machine is not shared, and far less moved by other load on it than the wall time. Absent
   * in results from before it was measured.
   */
  initCpuMsMedian?: number;
}

export interface ColdStartEntry extends Timing {
  function: string;
  bundleKB: number;
  sourceMapKB: number;
  /** The same, with `--enable-source-maps` (as NODE_OPTIONS sets it in the template). */
  withSourceMaps: Timing;
}

export interface PackageShare {
  name: string;
  KB: number;
}

export interface ColdStartAnalysis {
  samples: number;
  node: string;
  /** Esbuild options as the stack sets them. */
  bundling: Record<string, unknown>;
  /** Each function's ten largest packages in its bundle (esbuild metafile, same options). */
  imports: { function: string; bundleKB: number; packages: PackageShare[] }[];
  /**
   * What no function of ours can go below: the libraries every function of a kind loads, alone,
   * bundled and measured like the functions (same options, samples and environment).
   */
  floors?: Floor[];
  /** One function bundled with each option changed, to show what each buys. */
  variants: {
    variant: string;
    bundleKB: number;
    sourceMapKB: number;
    initMsMedian: number;
    /** Absent in results from before it was measured. */
    initCpuMsMedian?: number;
    initMsMedianWithSourceMaps: number;
  }[];
  /** A few functions' first and second answers in a fresh process (absent in older results). */
  firstAnswers?: FirstAnswers;
}

export interface Floor {
  floor: string;
  /** What the floor's module does at load, in words. */
  loads: string;
  bundleKB: number;
  initMsMedian: number;
  initMsP90: number;
  initCpuMsMedian?: number;
}

/**
 * The floors' sources: each builds at module load what the functions build (shared/observability.ts,
 * shared/adapters/aws-clients.ts), and nothing else.
 */
export const FLOORS: { floor: string; loads: string; source: string }[] = [
  {
    floor: 'floor: DynamoDB document client',
    loads: 'a DynamoDBDocumentClient over a DynamoDBClient, as every store of ours',
    source: [
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
      "import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';",
      'const client = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });',
      'export const handler = async () => client;',
    ].join('\n'),
  },
  {
    floor: 'floor: Powertools logger + metrics',
    loads: 'one Logger and one Metrics, as shared/observability.ts',
    source: [
      "import { Logger } from '@aws-lambda-powertools/logger';",
      "import { Metrics } from '@aws-lambda-powertools/metrics';",
      "const logger = new Logger({ serviceName: 'inventory-service' });",
      "const metrics = new Metrics({ namespace: 'InventoryService', serviceName: 'inventory-service' });",
      'export const handler = async () => [logger, metrics];',
    ].join('\n'),
  },
  {
    floor: 'floor: both',
    loads: 'the two above: what any function of ours with a table loads before its own code',
    source: [
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
      "import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';",
      "import { Logger } from '@aws-lambda-powertools/logger';",
      "import { Metrics } from '@aws-lambda-powertools/metrics';",
      'const client = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });',
      "const logger = new Logger({ serviceName: 'inventory-service' });",
      "const metrics = new Metrics({ namespace: 'InventoryService', serviceName: 'inventory-service' });",
      'export const handler = async () => [client, logger, metrics];',
    ].join('\n'),
  },
];

export interface ColdStartResult {
  entries: ColdStartEntry[];
  analysis: ColdStartAnalysis;
}

type Template = { Resources: Record<string, Resource & { Metadata?: Record<string, string> }> };

/** Resolves the template's intrinsic functions well enough for environment variables. */
export function resolveValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if ('Ref' in v) return String(v.Ref);
    if ('Fn::GetAtt' in v) return (v['Fn::GetAtt'] as string[]).join('.');
    if ('Fn::Join' in v) {
      const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
      return parts.map(resolveValue).join(sep);
    }
    if ('Fn::Sub' in v) return String(Array.isArray(v['Fn::Sub']) ? v['Fn::Sub'][0] : v['Fn::Sub']);
  }
  return '';
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Options a variant may change. */
export interface BundlingOverrides {
  minify?: boolean;
  keepNames?: boolean;
  sourceMap?: boolean;
  sourcesContent?: boolean;
  /** false: no infra/bundling stand-ins (built-ins imported as ESM, the SDK's whole credential chain). */
  aliases?: boolean;
  /**
   * true: the AWS SDK is left out of the bundle (`@aws-sdk/*` and `@smithy/*` external, as CDK's
   * default for Node 18+ does) and loaded at run time as the Lambda runtime ships it, unbundled CommonJS.
   */
  sdkFromRuntime?: boolean;
}

/** The packages `sdkFromRuntime` leaves out of the bundle. */
const SDK_PACKAGES = ['@aws-sdk/*', '@smithy/*'];

/** Esbuild options equivalent to the stack's NodejsFunction bundling options. */
export function esbuildOptions(overrides: BundlingOverrides = {}): BuildOptions {
  const b = { ...SERVICE_BUNDLING, ...overrides };
  return {
    bundle: true,
    format: b.format === 'esm' ? 'esm' : 'cjs',
    target: b.target,
    platform: 'node',
    minify: b.minify,
    keepNames: b.keepNames,
    sourcemap: b.sourceMap,
    sourcesContent: b.sourcesContent,
    mainFields: [...b.mainFields],
    external: [...b.externalModules, ...(overrides.sdkFromRuntime ? SDK_PACKAGES : [])],
    // The stack passes these as esbuild's --alias arguments, relative to the project root.
    alias:
      overrides.aliases === false
        ? {}
        : Object.fromEntries(Object.entries(BUNDLE_ALIASES).map(([from, to]) => [from, join(ROOT, to)])),
    banner: { js: b.banner },
    logLevel: 'silent',
  };
}

const functionName = (logicalId: string) => logicalId.replace(/^Stateless/, '').replace(/[A-F0-9]{8}$/, '');
const kb = (file: string) => (existsSync(file) ? statSync(file).size / 1024 : 0);

/** The Lambda runtime's own variables, besides the function's. */
function runtimeEnv(name: string, memory: number): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memory),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_SESSION_TOKEN: 'bench',
    LAMBDA_TASK_ROOT: '/var/task',
    TZ: ':UTC',
  };
}

/** A bundle to measure: its file and the environment its function gets. */
export interface Bundle {
  function: string;
  file: string;
  env: Record<string, string>;
}

export async function coldStart(ctx: StageContext): Promise<ColdStartResult> {
  const samples = Number(process.env.BENCH_COLD_SAMPLES ?? 20);
  const node = existsSync(join(ctx.root, 'node_modules', '.bin', 'node'))
    ? join(ctx.root, 'node_modules', '.bin', 'node')
    : process.execPath;
  const assembly = synthesize({ root: ctx.root, outdir: 'cdk.out', context: {} });
  const template = assembly.template as Template;
  const tmp = mkdtempSync(join(os.tmpdir(), 'coldstart-'));
  const sdkOutside = join(ctx.root, 'node_modules', '.cache', 'bench-cold-start');
  try {
    const functions = Object.entries(template.Resources).filter(
      ([, r]) => r.Type === 'AWS::Lambda::Function',
    );
    const bundles: Bundle[] = functions.map(([id, r]) => {
      const p = r.Properties ?? {};
      const [file] = String(p.Handler ?? 'index.handler').split('.');
      const env = Object.fromEntries(
        Object.entries((p.Environment?.Variables ?? {}) as Record<string, unknown>)
          .filter(([k]) => k !== 'NODE_OPTIONS')
          .map(([k, v]) => [k, resolveValue(v)]),
      );
      return {
        function: functionName(id),
        file: join(assembly.dir, String(r.Metadata?.['aws:asset:path']), `${file}.mjs`),
        env: { ...runtimeEnv(functionName(id), Number(p.MemorySize ?? 128)), ...env },
      };
    });
    // Hello world, bundled exactly as the functions are.
    writeFileSync(
      join(tmp, 'hello.ts'),
      'export const handler = async () => ({ statusCode: 200, body: "hello" });\n',
    );
    await build({
      ...esbuildOptions(),
      entryPoints: [join(tmp, 'hello.ts')],
      outfile: join(tmp, 'hello', 'index.mjs'),
    });
    bundles.unshift({
      function: HELLO_WORLD,
      file: join(tmp, 'hello', 'index.mjs'),
      env: runtimeEnv(HELLO_WORLD, 128),
    });
    const floorBundles: (Bundle & { floor: string; loads: string })[] = [];
    for (const [i, f] of FLOORS.entries()) {
      const outfile = join(tmp, `floor-${i}`, 'index.mjs');
      await build({
        ...esbuildOptions(),
        stdin: { contents: f.source, resolveDir: ctx.root, loader: 'ts' },
        outfile,
      });
      const env = { ...runtimeEnv(f.floor, 512), ...SERVICE_ENVIRONMENT };
      floorBundles.push({ floor: f.floor, loads: f.loads, function: f.floor, file: outfile, env });
    }
    const runner = join(tmp, 'ready.mjs');
    writeFileSync(
      runner,
      [
        'const t = performance.now();',
        'const cpu = process.cpuUsage();',
        'const m = await import(process.argv[2]);',
        "if (typeof m.handler !== 'function') throw new Error('no handler');",
        'const used = process.cpuUsage(cpu);',
        "process.stdout.write('ready ' + (performance.now() - t) + ' ' + (used.user + used.system) / 1000 + '\\n');",
        'process.exit(0);',
      ].join('\n'),
    );

    // The option variants are bundled from one function's source (the largest route).
    const variantEntry = join(ctx.root, 'functions', 'reservations.ts');
    const variantDefs: [string, BundlingOverrides][] = [
      [BUILD_VARIANTS.notMinified, { minify: false }],
      [BUILD_VARIANTS.keepNames, { keepNames: true }],
      [BUILD_VARIANTS.withSources, { sourcesContent: true }],
      [BUILD_VARIANTS.noStandIns, { aliases: false }],
      [BUILD_VARIANTS.sdkFromRuntime, { sdkFromRuntime: true }],
      [BUILD_VARIANTS.deployed, {}],
    ];
    const variantBundles: (Bundle & { variant: string })[] = [];
    for (const [variant, overrides] of variantDefs) {
      // A bundle that leaves the SDK out must find it: it is written under the project's node_modules,
      // where Node resolves the SDK's CommonJS builds (its packages' `node` condition), as in Lambda.
      const outfile = join(
        overrides.sdkFromRuntime ? sdkOutside : tmp,
        `variant-${variantBundles.length}`,
        'index.mjs',
      );
      await build({ ...esbuildOptions(overrides), entryPoints: [variantEntry], outfile });
      const reservations = bundles.find((b) => b.function === 'Reservations');
      variantBundles.push({
        variant,
        function: `variant:${variant}`,
        file: outfile,
        env: reservations?.env ?? {},
      });
    }

    const all = [...bundles, ...floorBundles, ...variantBundles];
    type Samples = Record<'ready' | 'init' | 'cpu' | 'readySm' | 'initSm' | 'cpuSm', number[]>;
    const times = new Map<string, Samples>(
      all.map((b) => [b.file, { ready: [], init: [], cpu: [], readySm: [], initSm: [], cpuSm: [] }]),
    );
    const bar = ctx.bars.create(samples * all.length, 0, { stage: 'cold start', detail: '' });
    for (let i = 0; i < samples; i++) {
      for (const b of all) {
        const t = times.get(b.file);
        if (!t) continue;
        const plain = await sample(node, runner, b, false);
        const mapped = await sample(node, runner, b, true);
        t.ready.push(plain.ready);
        t.init.push(plain.init);
        t.cpu.push(plain.cpu);
        t.readySm.push(mapped.ready);
        t.initSm.push(mapped.init);
        t.cpuSm.push(mapped.cpu);
        bar.increment(1, { detail: b.function });
      }
    }
    const answering = ctx.bars.create(samples * FIRST_ANSWER_CASES.length, 0, {
      stage: 'first answer',
      detail: '',
    });
    const answers = await firstAnswers(ctx, node, tmp, bundles, samples, (fn) =>
      answering.increment(1, { detail: fn }),
    );
    const timing = (ready: number[], init: number[], cpu: number[]): Timing => ({
      readyMsMedian: percentile(ready, 50),
      readyMsP90: percentile(ready, 90),
      initMsMedian: percentile(init, 50),
      initMsP90: percentile(init, 90),
      initCpuMsMedian: percentile(cpu, 50),
    });
    const entries: ColdStartEntry[] = bundles.map((b) => {
      const t = times.get(b.file) as Samples;
      return {
        function: b.function,
        bundleKB: kb(b.file),
        sourceMapKB: kb(`${b.file}.map`),
        ...timing(t.ready, t.init, t.cpu),
        withSourceMaps: timing(t.readySm, t.initSm, t.cpuSm),
      };
    });
    const variants = variantBundles.map((b) => {
      const t = times.get(b.file) as Samples;
      return {
        variant: b.variant,
        bundleKB: kb(b.file),
        sourceMapKB: kb(`${b.file}.map`),
        initMsMedian: percentile(t.init, 50),
        initCpuMsMedian: percentile(t.cpu, 50),
        initMsMedianWithSourceMaps: percentile(t.initSm, 50),
      };
    });
    const floors: Floor[] = floorBundles.map((b) => {
      const t = times.get(b.file) as Samples;
      return {
        floor: b.floor,
        loads: b.loads,
        bundleKB: kb(b.file),
        initMsMedian: percentile(t.init, 50),
        initMsP90: percentile(t.init, 90),
        initCpuMsMedian: percentile(t.cpu, 50),
      };
    });
    const imports = [];
    for (const entry of [...new Set(functions.map(([id]) => functionName(id)))]) {
      const source = join(
        ctx.root,
        'functions',
        `${entry.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}.ts`,
      );
      if (!existsSync(source)) continue;
      imports.push({ function: entry, ...(await packagesOf(source)) });
    }
    return {
      entries,
      analysis: {
        samples,
        node: String(await version(node)),
        bundling: SERVICE_BUNDLING,
        imports,
        floors,
        variants,
        firstAnswers: answers,
      },
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(sdkOutside, { recursive: true, force: true });
  }
}

/** One fresh process: spawn to "ready", and the import's wall and CPU time it reports. */
async function sample(
  node: string,
  runner: string,
  b: Bundle,
  sourceMaps: boolean,
): Promise<{ ready: number; init: number; cpu: number }> {
  const t0 = performance.now();
  let ready: number | undefined;
  const { code, out, err } = await runNode(
    node,
    [...(sourceMaps ? ['--enable-source-maps'] : []), runner, `file://${b.file}`],
    { PATH: process.env.PATH ?? '', ...b.env },
    (soFar) => {
      if (ready === undefined && soFar.includes('ready ')) ready = performance.now() - t0;
    },
  );
  const [, initText, cpuText] = /ready (\S+) (\S+)/.exec(out) ?? [];
  const init = Number(initText);
  const cpu = Number(cpuText);
  if (code !== 0 || ready === undefined || !Number.isFinite(init) || !Number.isFinite(cpu)) {
    throw new Error(`${b.function} did not become ready (exit ${code}): ${err.slice(-500)}`);
  }
  return { ready, init, cpu };
}

async function version(node: string): Promise<string> {
  return (await runNode(node, ['--version'], {})).out.trim();
}

/** Bytes each package contributes to the bundle of `entry`, with the stack's options. */
export async function packagesOf(entry: string): Promise<{ bundleKB: number; packages: PackageShare[] }> {
  const result = await build({
    ...esbuildOptions(),
    entryPoints: [entry],
    write: false,
    metafile: true,
    outfile: 'out.mjs',
  });
  const output = Object.entries(result.metafile.outputs).find(([f]) => f.endsWith('.mjs'))?.[1];
  if (!output) return { bundleKB: 0, packages: [] };
  const byPackage = new Map<string, number>();
  for (const [file, v] of Object.entries(output.inputs)) {
    const pkg =
      /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? `${file.split('/').slice(0, 2).join('/')}`;
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + v.bytesInOutput);
  }
  return {
    bundleKB: output.bytes / 1024,
    packages: [...byPackage.entries()]
      .map(([name, bytes]) => ({ name, KB: bytes / 1024 }))
      .sort((a, b) => b.KB - a.KB)
      .slice(0, 10),
  };
}
