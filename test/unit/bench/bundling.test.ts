import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { esbuildOptions } from '../../../bench/stages/cold-start.ts';
import { LAZY_BUILTINS, SERVICE_BUNDLING } from '../../../infra/service-function.ts';
import { ROUTE_TABLE } from '../../../shared/http/route-table.ts';

const tmp = mkdtempSync(join(os.tmpdir(), 'bundling-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Bundles a snippet of TypeScript (imports resolved from the project root) as the functions are; returns the file. */
async function bundleSnippet(name: string, contents: string): Promise<string> {
  const outfile = join(tmp, `${name}.mjs`);
  const resolveDir = new URL('../../../', import.meta.url).pathname;
  await build({ ...esbuildOptions(), stdin: { contents, resolveDir, loader: 'ts' }, outfile });
  return outfile;
}

/** Bundles shared/domain/errors.ts as the stack bundles functions and imports the result. */
async function bundledErrors(overrides: Parameters<typeof esbuildOptions>[0] = {}) {
  const outfile = join(tmp, `errors-${Math.random().toString(36).slice(2)}.mjs`);
  await build({
    ...esbuildOptions(overrides),
    entryPoints: [new URL('../../../shared/domain/errors.ts', import.meta.url).pathname],
    outfile,
  });
  return (await import(pathToFileURL(outfile).href)) as Record<string, unknown>;
}

describe('bundling options of every function', () => {
  it('keep every domain error name through minification without keepNames (each class names itself)', async () => {
    // Prepare
    const errors = await bundledErrors();
    const classes = Object.entries(errors).filter(
      ([, v]) => typeof v === 'function' && (v as { prototype?: unknown }).prototype instanceof Error,
    );
    // Assess: the bundle really is minified without names kept (the class identifiers changed) ...
    expect(SERVICE_BUNDLING.keepNames).toBe(false);
    expect(classes.length).toBeGreaterThan(5);
    expect(classes.filter(([exported, Cls]) => (Cls as { name: string }).name === exported)).toEqual([]);
    // ... and every error still says which one it is.
    for (const [exported, Cls] of classes) {
      if (exported === 'DomainError') continue;
      const error = new (Cls as new (arg: unknown) => Error)(['x']);
      expect(error.name).toBe(exported);
      expect(error.stack?.split('\n')[0]).toBe(`${exported}: ${error.message}`);
    }
  });

  it('would lose a name taken from the class (new.target.name) (the test above can fail)', async () => {
    // Prepare: an error naming itself as the domain errors did before.
    const outfile = await bundleSnippet(
      'class-named',
      'export class ItemNotFoundError extends Error { constructor(m: string) { super(m); this.name = new.target.name; } }\n',
    );
    // Act
    const { ItemNotFoundError } = (await import(pathToFileURL(outfile).href)) as {
      ItemNotFoundError: new (m: string) => Error;
    };
    // Assess
    expect(new ItemNotFoundError('x').name).not.toBe('ItemNotFoundError');
  });

  it('keep the SDK and Powertools error names the service maps (they are string properties)', async () => {
    // Prepare: the errors the adapters and the HTTP layer recognise, from a minified bundle.
    const contents = [
      "import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';",
      "import { IdempotencyAlreadyInProgressError, IdempotencyValidationError } from '@aws-lambda-powertools/idempotency';",
      'const $metadata = {};',
      'export const names = [',
      "  new TransactionCanceledException({ message: 'x', $metadata }),",
      "  new ConditionalCheckFailedException({ message: 'x', $metadata }),",
      "  new IdempotencyAlreadyInProgressError('x'),",
      "  new IdempotencyValidationError('x'),",
      '].map((e) => e.name);',
    ].join('\n');
    const outfile = await bundleSnippet('library-errors', contents);
    // Act
    const { names } = (await import(pathToFileURL(outfile).href)) as { names: string[] };
    // Assess
    expect(names).toEqual([
      'TransactionCanceledException',
      'ConditionalCheckFailedException',
      'IdempotencyAlreadyInProgressError',
      'IdempotencyValidationError',
    ]);
  });
});

/** Node's internal modules loaded by importing `file` in a fresh process (Node's own list). */
function internalModulesLoadedBy(file: string): string[] {
  const probe = join(tmp, 'probe.mjs');
  writeFileSync(
    probe,
    [
      'const before = new Set(process.moduleLoadList);',
      'await import(process.argv[2]);',
      'console.log(JSON.stringify(process.moduleLoadList.filter((m) => !before.has(m))));',
    ].join('\n'),
  );
  return JSON.parse(execFileSync(process.execPath, [probe, pathToFileURL(file).href], { encoding: 'utf8' }));
}

describe('node built-ins in the bundles', () => {
  it('cost what require() costs: an ESM import of node:http, fs or process evaluates none of their lazy exports', async () => {
    // Prepare: the modules imported as the SDK's ESM builds import them; the same taken as require()
    // would, in a bundle with the same options (its banner loads node:module).
    const esm = join(tmp, 'esm-builtins.ts');
    writeFileSync(
      esm,
      `${LAZY_BUILTINS.map((m, i) => `import * as m${i} from 'node:${m}';`).join('\n')}\nexport const used = [${LAZY_BUILTINS.map((_, i) => `m${i}`).join(', ')}].length;\n`,
    );
    const required = join(tmp, 'required-builtins.ts');
    writeFileSync(
      required,
      `export const used = [${LAZY_BUILTINS.map((m) => `process.getBuiltinModule('node:${m}')`).join(', ')}].length;\n`,
    );
    // Act
    await build({ ...esbuildOptions(), entryPoints: [esm], outfile: join(tmp, 'esm-builtins.mjs') });
    await build({
      ...esbuildOptions(),
      entryPoints: [required],
      outfile: join(tmp, 'required-builtins.mjs'),
    });
    const bundled = internalModulesLoadedBy(join(tmp, 'esm-builtins.mjs'));
    const baseline = internalModulesLoadedBy(join(tmp, 'required-builtins.mjs'));
    // Assess: without the aliases node:http alone loads undici, and the three about 140 modules more.
    // esbuild's interop reads each property descriptor once; fs.Dir's loads its own two modules.
    expect(bundled).not.toContain('NativeModule internal/deps/undici/undici');
    expect(bundled.filter((m) => !baseline.includes(m))).toEqual([
      'Internal Binding fs_dir',
      'NativeModule internal/fs/dir',
    ]);
  });
});

/** The source files in one function's bundle, with the stand-ins or (`false`) without them. */
async function bundledInputs(fn: string, aliases?: false): Promise<string[]> {
  const out = await build({
    ...esbuildOptions(aliases === false ? { aliases } : {}),
    entryPoints: [new URL(`../../../functions/${fn}.ts`, import.meta.url).pathname],
    write: false,
    metafile: true,
    outfile: join(tmp, `${fn}.mjs`),
  });
  return Object.keys(out.metafile.inputs);
}

/**
 * The npm packages esbuild puts in the bundle of functions/<name>.ts, with the stack's options, and
 * `zod/mini` when its schema builders are in.
 */
async function packagesInBundle(name: string): Promise<Set<string>> {
  const inputs = await bundledInputs(name);
  return new Set([
    ...inputs.flatMap((f) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f)?.[1] ?? []),
    // zod's schema builders apart from its core (the HTTP error mapping knows zod's error class)
    ...(inputs.some((f) => f.includes('node_modules/zod/v4/mini/')) ? ['zod/mini'] : []),
  ]);
}

describe('each function bundles only what its routes use', () => {
  const functions = readdirSync(new URL('../../../functions/', import.meta.url))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.replace(/\.ts$/, ''));
  // Token verification where the route table scopes a route; idempotency where operations run under it.
  const verifiesTokens = new Set<string>(ROUTE_TABLE.filter((r) => r.scopes.length > 0).map((r) => r.fn));
  const idempotent = new Set(['reservations', ...functions.filter((f) => f.startsWith('on-'))]);
  // Schemas (zod/mini) where input is parsed: the HTTP routes' requests and the consumed events. A
  // function that only builds or routes events takes their identities (events/identities.ts), no schema.
  const parsesInput = new Set([
    'reservations',
    'inventory-read',
    'inventory-admin',
    ...functions.filter((f) => f.startsWith('on-')),
  ]);

  it.each(functions)('%s', async (name) => {
    // Act
    const packages = await packagesInBundle(name);
    // Assess: present exactly where used (an import through a shared module would keep the library's
    // module code in every bundle: none of these packages declares itself free of side effects)
    expect(packages.has('aws-jwt-verify'), 'aws-jwt-verify').toBe(verifiesTokens.has(name));
    expect(packages.has('@aws-lambda-powertools/idempotency'), 'idempotency').toBe(idempotent.has(name));
    expect(packages.has('zod/mini'), 'zod/mini').toBe(parsesInput.has(name));
    if (name === 'health') expect([...packages].filter((p) => p.startsWith('@aws-sdk/'))).toEqual([]);
    // The default credential chain's providers and the STS/SSO clients they use (see the next test)
    expect(packages.has('@aws-sdk/credential-provider-node'), 'credential chain').toBe(false);
    expect(packages.has('@aws-sdk/nested-clients'), 'nested clients').toBe(false);
  });
});

describe('zod schemas in the bundles', () => {
  // A zod schema is built when its module loads: each function carries only the route module whose
  // requests it parses, and none carries the answers' schemas (those are for the OpenAPI document).
  const ROUTE_MODULES: Record<string, string[]> = {
    health: ['health-routes.ts'],
    'inventory-read': ['read-routes.ts'],
    reservations: ['routes.ts'],
    'inventory-admin': ['admin-routes.ts'],
  };
  it.each(Object.entries(ROUTE_MODULES))('%s builds only its own requests schemas', async (fn, expected) => {
    // Act
    const inputs = await bundledInputs(fn);
    // Assess
    const modules = inputs.flatMap(
      (f) =>
        /shared\/http\/((?:\w+-)?routes|response-schemas)\.ts$/.exec(f)?.[0].replace('shared/http/', '') ??
        [],
    );
    expect(modules.sort()).toEqual(expected);
  });

  const CONSUMED: Record<string, string> = {
    'on-booking-created': 'booking-created.ts',
    'on-payment-succeeded': 'payment-succeeded.ts',
    'on-payment-failed': 'payment-failed.ts',
    'on-booking-cancelled': 'booking-cancelled.ts',
  };
  it.each(Object.entries(CONSUMED))('%s builds the schema of its own event only', async (fn, expected) => {
    // Act
    const inputs = await bundledInputs(fn);
    // Assess: besides the envelope and the identities every event shares
    const events = inputs.flatMap((f) => /(?:^|\/)events\/([\w-]+\.ts)$/.exec(f)?.[1] ?? []);
    expect(events.filter((f) => f !== 'envelope.ts' && f !== 'identities.ts')).toEqual([expected]);
  });
});

describe('the SDK in a bundle', () => {
  it('leaves out the event-stream codecs, which no operation of ours uses', async () => {
    // Act: the function with the most SDK code, with and without the stand-ins
    const inputs = async (aliases?: false) =>
      (await bundledInputs('reservations', aliases)).filter((f) => f.includes('/event-streams/'));
    // Assess: the codecs are in the bundle only without the alias (the test can fail)
    expect(await inputs()).toEqual([]);
    expect((await inputs(false)).length).toBeGreaterThan(5);
  });

  it('leaves out the endpoint-discovery cache, which stays empty while discovery is off', async () => {
    // Act: a DynamoDB function, with and without the stand-ins
    const inputs = async (aliases?: false) =>
      (await bundledInputs('reconcile', aliases)).filter((f) =>
        /\/(mnemonist|obliterator|@aws-sdk\/endpoint-cache)\//.test(f),
      );
    // Assess: the LRU cache is in the bundle only without the alias (the test can fail)
    expect(await inputs()).toEqual([]);
    expect((await inputs(false)).length).toBeGreaterThan(3);
  });

  it('finds no discovered endpoint, and fails loudly if discovery is ever turned on', async () => {
    const { EndpointCache } = await import('../../../infra/bundling/no-endpoint-discovery.ts');
    const cache = new EndpointCache();
    expect(cache.getEndpoint('key')).toBeUndefined();
    expect(cache.get('key')).toBeUndefined();
    expect(cache.has('key')).toBe(false);
    expect(() => cache.set('key', [{ Address: '', CachePeriodInMinutes: 1 }])).toThrow(
      /endpoint-cache is not bundled/,
    );
  });

  it('fails loudly if an operation ever needs an event stream', async () => {
    const { EventStreamSerde, eventStreamSerdeProvider } = await import(
      '../../../infra/bundling/no-event-streams.ts'
    );
    expect(() => new EventStreamSerde()).toThrow(/event-streams is not bundled/);
    expect(() => eventStreamSerdeProvider()).toThrow(/event-streams is not bundled/);
  });

  it('takes credentials from the environment, as Lambda gives them, and says so when there are none', async () => {
    // Prepare: a client bundled as the functions bundle theirs
    const contents = [
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
      "const client = new DynamoDBClient({ region: 'us-east-1' });",
      'client.config.credentials().then(',
      '  (c) => console.log(JSON.stringify({ accessKeyId: c.accessKeyId, sessionToken: c.sessionToken })),',
      '  (e) => console.log(JSON.stringify({ error: e.message })),',
      ');',
    ].join('\n');
    const outfile = await bundleSnippet('client', contents);
    const run = (env: Record<string, string>) =>
      JSON.parse(execFileSync(process.execPath, [outfile], { encoding: 'utf8', env: { PATH: '', ...env } }));
    // Act / Assess
    expect(
      run({ AWS_ACCESS_KEY_ID: 'AKIDENV', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' }),
    ).toEqual({ accessKeyId: 'AKIDENV', sessionToken: 'token' });
    expect(run({})).toEqual({ error: 'Unable to find environment variable credentials.' });
  });
});
