import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withGeneratedTable } from '../../scripts/generate-saga-doc.ts';
import { DECISION_TABLE, SAGA_INPUT_KINDS, SITUATIONS } from '../../shared/domain/decisions.ts';

describe('docs/saga.md', () => {
  it('holds the decision table the use cases execute (run `npm run docs:saga` after changing it)', () => {
    const doc = readFileSync(new URL('../../docs/saga.md', import.meta.url), 'utf8');
    expect(withGeneratedTable(doc)).toBe(doc);
  });

  it('the table decides every situation for every input', () => {
    for (const s of SITUATIONS) for (const k of SAGA_INPUT_KINDS) expect(DECISION_TABLE[s][k]).toBeTruthy();
  });
});
