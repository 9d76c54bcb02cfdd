import { describe, expect, it } from 'vitest';
import {
  compilePattern,
  InvalidEventPatternError,
  MAX_WILDCARD_COMPLEXITY,
  matchesPattern,
  validatePattern,
  wildcardComplexity,
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

describe('wildcard complexity (event-ruler MachineComplexityEvaluator)', () => {
  it.each([
    // event-ruler's own test: "abb" is matched by the prefixes a*, a*b, a*b*, a*b*b.
    { wildcards: ['a*b*b'], expected: 4 },
    // event-ruler's own test: "aaaa" is matched by 7 prefixes of a*aaa and aa*aa together.
    { wildcards: ['a*aaa', 'aa*aa'], expected: 7 },
    // AWS accepted this one (AWS-OBSERVED content_wildcard_repeating) …
    { wildcards: ['/Users/*/dir/dir/dir/dir/dir/doc.txt'], expected: 8 },
    // … and refused this one as too complex (AWS-OBSERVED content_wildcard_complex_EXC).
    { wildcards: ['*:*:*:*:*:event-bus/*'], expected: 12 },
    { wildcards: ['no-star'], expected: 0 },
  ])('$wildcards scores $expected', ({ wildcards, expected }) => {
    expect(wildcardComplexity(wildcards)).toBe(expected);
  });

  it('judging a long wildcard stays fast (validation runs at start-up)', () => {
    const long = `${'ab*'.repeat(300)}z`;
    const started = performance.now();
    expect(() => validatePattern({ f: [{ wildcard: long }] })).toThrow(/Rule is too complex/);
    expect(() => validatePattern({ f: [{ wildcard: `${'x'.repeat(1500)}*` }] })).not.toThrow();
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('the limit lies between what AWS accepted and what it refused', () => {
    expect(MAX_WILDCARD_COMPLEXITY).toBeGreaterThanOrEqual(8);
    expect(MAX_WILDCARD_COMPLEXITY).toBeLessThan(12);
  });

  it('wildcards on one field add up: several simple ones together can be too complex', () => {
    const many = Array.from({ length: 6 }, (_, i) => ({ wildcard: `*:${i}*` }));
    expect(() => validatePattern({ arn: many })).toThrow(/Rule is too complex/);
    expect(() => validatePattern({ arn: many.slice(0, 1), other: many.slice(1, 2) })).not.toThrow();
  });
});
