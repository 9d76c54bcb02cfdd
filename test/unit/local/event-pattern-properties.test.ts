import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compilePattern,
  matchesPattern,
  type Pattern,
  validatePattern,
} from '../../../local/event-pattern.ts';

/**
 * Properties that hold for every pattern and event of a small generated vocabulary, so that
 * collisions (same field, same value) are frequent enough to exercise matching both ways.
 */
const key = fc.constantFrom('a', 'b', 'c');
const scalar = fc.oneof(
  fc.constantFrom('x', 'y', 'xy', 'X', ''),
  fc.integer({ min: -3, max: 3 }),
  fc.boolean(),
  fc.constant(null),
);
const eventValue = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }));
const event = fc.dictionary(key, fc.oneof(eventValue, fc.dictionary(key, eventValue, { maxKeys: 3 })), {
  maxKeys: 3,
});

const rule = fc.oneof(
  scalar,
  fc.record({ prefix: fc.constantFrom('x', 'X', '') }),
  fc.record({ suffix: fc.constantFrom('y', 'xy') }),
  fc.record({ 'equals-ignore-case': fc.constantFrom('x', 'XY') }),
  fc.record({ wildcard: fc.constantFrom('x*', '*y', '*') }),
  fc.record({ 'anything-but': fc.oneof(fc.constantFrom('x', 'y'), fc.integer({ min: -3, max: 3 })) }),
  fc.record({ 'anything-but': fc.record({ prefix: fc.constantFrom('x', 'y') }) }),
  fc.record({ numeric: fc.constantFrom(['>', 0], ['<=', 1], ['>=', -2, '<', 2]) }),
  fc.record({ exists: fc.boolean() }),
);
const rules = fc.array(rule, { minLength: 1, maxLength: 3 });
const pattern: fc.Arbitrary<Pattern> = fc.dictionary(
  key,
  fc.oneof(rules, fc.dictionary(key, rules, { minKeys: 1, maxKeys: 2 })),
  { minKeys: 1, maxKeys: 2 },
);

describe('event pattern properties', () => {
  it('generated patterns are valid', () => {
    fc.assert(fc.property(pattern, (p) => validatePattern(p) === undefined));
  });

  it('$or matches exactly when one of its branches matches (the union of its branches)', () => {
    fc.assert(
      fc.property(pattern, pattern, event, (left, right, e) => {
        const either = matchesPattern({ $or: [left, right] }, e);
        expect(either).toBe(matchesPattern(left, e) || matchesPattern(right, e));
      }),
    );
  });

  it('a field list matches exactly when one of its values does (values are OR)', () => {
    fc.assert(
      fc.property(key, rules, event, (k, list, e) => {
        const whole = matchesPattern({ [k]: list }, e);
        expect(whole).toBe(list.some((one) => matchesPattern({ [k]: [one] }, e)));
      }),
    );
  });

  it('fields are AND: a pattern matches exactly when each of its fields does', () => {
    fc.assert(
      fc.property(pattern, event, (p, e) => {
        const each = Object.entries(p).every(([k, v]) => matchesPattern({ [k]: v }, e));
        expect(matchesPattern(p, e)).toBe(each);
      }),
    );
  });

  it('anything-but a value is the complement of the value among present scalar fields', () => {
    fc.assert(
      fc.property(fc.constantFrom('x', 'y'), scalar, (excluded, value) => {
        const e = { a: value };
        expect(matchesPattern({ a: [{ 'anything-but': excluded }] }, e)).toBe(
          !matchesPattern({ a: [excluded] }, e),
        );
      }),
    );
  });

  it('exists true and exists false are complements', () => {
    fc.assert(
      fc.property(key, fc.option(key, { nil: undefined }), event, (k, child, e) => {
        const at = (exists: boolean) => (child ? { [k]: { [child]: [{ exists }] } } : { [k]: [{ exists }] });
        expect(matchesPattern(at(true), e)).toBe(!matchesPattern(at(false), e));
      }),
    );
  });

  it('a dotted key and the nested pattern it spells are the same pattern', () => {
    fc.assert(
      fc.property(key, key, rules, event, (outer, inner, list, e) => {
        expect(matchesPattern({ [`${outer}.${inner}`]: list }, e)).toBe(
          matchesPattern({ [outer]: { [inner]: list } }, e),
        );
      }),
    );
  });

  it('numeric ranges agree with JavaScript comparison at six decimal places', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -5_000_000, max: 5_000_000 }),
        fc.integer({ min: -5_000_000, max: 5_000_000 }),
        (boundMicros, valueMicros) => {
          const bound = boundMicros / 1e6;
          const value = valueMicros / 1e6;
          const e = { n: value };
          expect(matchesPattern({ n: [{ numeric: ['<', bound] }] }, e)).toBe(valueMicros < boundMicros);
          expect(matchesPattern({ n: [{ numeric: ['>=', bound] }] }, e)).toBe(valueMicros >= boundMicros);
          expect(matchesPattern({ n: [{ numeric: ['=', bound] }] }, e)).toBe(valueMicros === boundMicros);
        },
      ),
    );
  });

  it('cidr agrees with a bit-by-bit check for IPv4', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.ipV4(), fc.integer({ min: 0, max: 31 }), (base, ip, bits) => {
        const toInt = (a: string) => a.split('.').reduce((n, part) => n * 256 + Number(part), 0);
        const host = 2 ** (32 - bits) - 1;
        const low = toInt(base);
        const high = low - (low % (host + 1)) + host;
        const inside = toInt(ip) >= low && toInt(ip) <= high;
        expect(matchesPattern({ ip: [{ cidr: `${base}/${bits}` }] }, { ip })).toBe(inside);
      }),
    );
  });

  it('a pattern over an array of objects matches exactly when one element matches it on its own (same-element rule)', () => {
    // exists:false is left out: absence is judged over the whole array, not per element.
    const presentRule = rule.filter(
      (r) => !(typeof r === 'object' && r !== null && 'exists' in r && r.exists === false),
    );
    const inner = fc.dictionary(key, fc.array(presentRule, { minLength: 1, maxLength: 2 }), {
      minKeys: 1,
      maxKeys: 3,
    });
    const element = fc.dictionary(key, scalar, { maxKeys: 3 });
    fc.assert(
      fc.property(inner, fc.array(element, { maxLength: 4 }), (p, elements) => {
        const whole = matchesPattern({ items: p }, { items: elements });
        expect(whole).toBe(elements.some((e) => matchesPattern(p, e)));
      }),
    );
  });

  it('the compiled form answers as matchesPattern does', () => {
    fc.assert(
      fc.property(pattern, event, (p, e) => {
        expect(compilePattern(p).matches(e)).toBe(matchesPattern(p, e));
      }),
    );
  });
});
