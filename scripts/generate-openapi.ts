/** Writes openapi.json from the zod schemas (`npm run openapi`). */
import { writeFileSync } from 'node:fs';
import { openApiFileContent } from '../shared/http/openapi.ts';

writeFileSync(new URL('../openapi.json', import.meta.url), openApiFileContent());
console.log('wrote openapi.json');
