import { describe, expect, it } from 'vitest';
import {
  compilePattern,
  InvalidEventPatternError,
  matchesPattern,
  validatePattern,
} from '../../../local/event-pattern.ts';
import { matchGroups } from './event-pattern-cases.ts';
import { invalidGroups, validPatterns } from './event-pattern-invalid-cases.ts';

/**
 * The conformance suite: every case of the tables runs through `matchesPattern` (and the compiled
 * form gives the same answer); every invalid pattern is refused with the path and the reason.
 */
describe.each(matchGroups)('$source', ({ cases }) => {
  it.each(cases)('$name → $expected', ({ pattern, event, expected }) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
    expect(compilePattern(pattern).matches(event)).toBe(expected);
  });
});

describe.each(invalidGroups)('refused: $source', ({ cases }) => {
  it.each(cases)('$name', ({ pattern, path, reason }) => {
    let refusal: unknown;
    try {
      validatePattern(pattern);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(InvalidEventPatternError);
    const error = refusal as InvalidEventPatternError;
    expect(error.name).toBe('InvalidEventPatternError');
    expect(error.path).toBe(path);
    expect(error.reason).toMatch(reason);
    expect(error.message).toContain(path);
    expect(error.message).toMatch(reason);
  });
});

describe('accepted by EventBridge, so accepted here', () => {
  it.each(validPatterns)('$name', ({ pattern }) => {
    expect(() => validatePattern(pattern)).not.toThrow();
  });
});

describe('an invalid pattern never matches silently', () => {
  it('matchesPattern refuses the pattern instead of answering (old engine: {"numeric": 10} matched every number)', () => {
    expect(() => matchesPattern({ n: [{ numeric: 10 }] } as never, { n: 5 })).toThrow(
      InvalidEventPatternError,
    );
  });

  it('compilePattern refuses it too', () => {
    expect(() => compilePattern({ time: [{ prefix: ['a'] }] })).toThrow(
      /prefix match pattern must be a string/,
    );
  });
});
