import { describe, expect, it } from 'vitest';
import { isNoteworthy } from '../../../local/terminal.ts';

describe('what npm start prints of the functions’ logs', () => {
  it('shows warnings, errors and failed invocations; hides INFO, runtime lines and the metrics notice', () => {
    expect(isNoteworthy('{"level":"ERROR","message":"payment lookup failed"}')).toBe(true);
    expect(isNoteworthy('{"level":"WARN","message":"retrying"}')).toBe(true);
    expect(isNoteworthy('{"errorType":"Sandbox.Timedout","errorMessage":"Task timed out"}')).toBe(true);
    expect(isNoteworthy('{"level":"INFO","message":"reserved"}')).toBe(false);
    expect(
      isNoteworthy(
        'No application metrics to publish. The cold-start metric may be published if enabled. If application metrics should never be empty, consider using `throwOnEmptyMetrics`',
      ),
    ).toBe(false);
    expect(isNoteworthy('START RequestId: 1 Version: $LATEST')).toBe(false);
  });
});
