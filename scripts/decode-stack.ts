import { readFileSync } from 'node:fs';
import { SourceMap, type SourceOrigin } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Decodes a stack trace logged by a deployed function with the source map that ships beside
 * its bundle (`index.mjs.map` in the function's asset, e.g. `cdk.out/asset.<hash>/`). The bundles
 * are minified without names kept, so a frame says `at Xe (file:///var/task/index.mjs:1:23456)`;
 * this prints the source file, line, column and the original function name where the map knows
 * it. Node's own `--enable-source-maps` does the same at run time, at a cost on every cold start
 * (BENCHMARKS.md, build options), which is why it is off.
 *
 * Names come as Node's stack decoder finds them without the enclosing function's position: the
 * identifier the caller's frame (the next line, when it is in the same bundle) points at.
 *
 * Usage: `npm run decode-stack -- cdk.out/asset.<hash>/index.mjs.map < stack.txt`
 */

const FRAME = /^(\s*at\s+)(?:(.*?)\s+\()?((?:file:\/\/)?[^\s()]+?):(\d+):(\d+)\)?\s*$/;

type Frame = { prefix: string; name?: string; file: string; line: number; column: number };

function parseFrame(text: string): Frame | undefined {
  const m = FRAME.exec(text);
  if (!m) return undefined;
  const [, prefix = '', name, file = '', line = '0', column = '0'] = m;
  return { prefix, ...(name ? { name } : {}), file, line: Number(line), column: Number(column) };
}

/** Each frame of `stack` in the bundle `bundleFile` (by its base name) rewritten to its source. */
export function decodeStack(stack: string, map: SourceMap, bundleFile = 'index.mjs'): string {
  const lines = stack.split('\n');
  const frames = lines.map(parseFrame);
  const ours = (f: Frame | undefined): f is Frame => f?.file.endsWith(bundleFile) === true;
  const at = (f: Frame): Partial<SourceOrigin> => map.findOrigin(f.line, f.column);
  return lines
    .map((text, i) => {
      const frame = frames[i];
      if (!ours(frame)) return text;
      const origin = at(frame);
      if (origin.fileName === undefined) return text;
      const caller = frames[i + 1];
      const name = (ours(caller) ? at(caller).name : undefined) ?? frame.name;
      const where = `${origin.fileName}:${origin.lineNumber}:${origin.columnNumber}`;
      return `${frame.prefix}${name ? `${name} (${where})` : where}`;
    })
    .join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const mapFile = process.argv[2];
  if (!mapFile) {
    console.error('usage: npm run decode-stack -- <path to index.mjs.map> < stack.txt');
    process.exit(2);
  }
  const map = new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')));
  process.stdout.write(`${decodeStack(readFileSync(0, 'utf8'), map)}\n`);
}
