import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { esbuildOptions } from '../../bench/stages/cold-start.ts';
import { decodeStack } from '../../scripts/decode-stack.ts';

const tmp = mkdtempSync(join(os.tmpdir(), 'decode-stack-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('npm run decode-stack', () => {
  it("turns a minified function's stack trace back into source lines and function names", async () => {
    // Prepare: a handler that fails two calls deep, bundled as every function is, and its trace.
    const source = join(tmp, 'failing.ts');
    writeFileSync(
      source,
      [
        'function reserveStock(units: number): number {',
        "  if (units > 0) throw new Error('boom');",
        '  return units;',
        '}',
        'function applyBooking(units: number): number {',
        '  return reserveStock(units) + 1;',
        '}',
        'export function handler(units: number): number {',
        '  return applyBooking(units) * 2;',
        '}',
      ].join('\n'),
    );
    const outfile = join(tmp, 'out', 'index.mjs');
    await build({ ...esbuildOptions(), entryPoints: [source], outfile });
    // In a plain Node process, as in Lambda (vitest's own source-map support would decode it).
    const runner = join(tmp, 'run.mjs');
    writeFileSync(
      runner,
      `const { handler } = await import(${JSON.stringify(pathToFileURL(outfile).href)});\ntry { handler(1); } catch (e) { process.stdout.write(e.stack); }\n`,
    );
    const stack = execFileSync(process.execPath, [runner], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    // The trace as logged names neither function: the bundle is minified without names kept.
    expect(stack).toMatch(/index\.mjs:\d+:\d+/);
    expect(stack).not.toContain('reserveStock');
    expect(stack).not.toContain('applyBooking');
    const map = new SourceMap(JSON.parse(readFileSync(`${outfile}.map`, 'utf8')));

    // Act
    const decoded = decodeStack(stack, map).split('\n');

    // Assess: the message line is kept; the frames point at the source, with the original names.
    expect(decoded[0]).toBe('Error: boom');
    expect(decoded[1]).toMatch(/^\s+at reserveStock \(.*failing\.ts:2:\d+\)$/);
    expect(decoded[2]).toMatch(/^\s+at applyBooking \(.*failing\.ts:6:\d+\)$/);
    expect(decoded[3]).toMatch(/^\s+at .*failing\.ts:9:\d+\)?$/);
  });

  it('leaves lines that are not frames of the bundle as they are', () => {
    const map = new SourceMap({
      version: 3,
      file: 'index.mjs',
      sources: [],
      sourcesContent: [],
      sourceRoot: '',
      names: [],
      mappings: '',
    });
    const stack = 'Error: x\n    at async Promise.all (index 0)\n    at run (node:internal/x:1:2)';
    expect(decodeStack(stack, map)).toBe(stack);
  });
});
