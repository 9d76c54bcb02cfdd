import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { esbuildOptions } from '../../../bench/stages/cold-start.ts';

const tmp = mkdtempSync(join(os.tmpdir(), 'bundling-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

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
  it('keep error class names through minification (error.name comes from new.target.name)', async () => {
    // Prepare / Act
    const errors = await bundledErrors();
    const classes = Object.entries(errors).filter(
      ([, v]) => typeof v === 'function' && (v as { prototype?: unknown }).prototype instanceof Error,
    );
    // Assess
    expect(classes.length).toBeGreaterThan(5);
    for (const [exported, Cls] of classes) {
      if (exported === 'DomainError') continue;
      const error = new (Cls as new (arg: unknown) => Error)(['x']);
      expect(error.name).toBe(exported);
    }
  });

  it('would lose them without keepNames (the test above can fail)', async () => {
    const errors = await bundledErrors({ keepNames: false });
    const error = new (errors.ItemNotFoundError as new (arg: unknown) => Error)(['x']);
    expect(error.name).not.toBe('ItemNotFoundError');
  });
});
