/**
 * Writes events/schemas/<DetailType>.json from the zod modules (`npm run schemas`).
 * `--baseline` also records the current schemas as the released baseline of their version;
 * do that only when releasing a new schema version.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allEvents } from './index.ts';
import { allJsonSchemas, schemaFileContent } from './json-schemas.ts';

const here = dirname(fileURLToPath(import.meta.url));
const schemasDir = join(here, 'schemas');
const baselineDir = join(schemasDir, 'baseline');
mkdirSync(baselineDir, { recursive: true });

for (const [name, schema] of Object.entries(allJsonSchemas())) {
  writeFileSync(join(schemasDir, `${name}.json`), schemaFileContent(schema));
  if (process.argv.includes('--baseline')) {
    const version = allEvents[name]?.type.schemaVersion ?? '1';
    writeFileSync(join(baselineDir, `${name}.v${version}.json`), schemaFileContent(schema));
  }
  console.log(`wrote ${name}`);
}
