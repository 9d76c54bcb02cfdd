/**
 * EventBridge event pattern matching, following the documented content-filtering syntax:
 * exact values (arrays are OR), `prefix`, `suffix`, `anything-but` (value, list, prefix,
 * suffix), `numeric` ranges, `exists`, `equals-ignore-case`, `wildcard`, `cidr`, `$or`,
 * nested objects, and events whose fields are arrays (a match if any element matches).
 */

type Pattern = Record<string, unknown>;

export function matchesPattern(pattern: Pattern, event: unknown): boolean {
  if (!isObject(pattern) || !isObject(event)) return false;
  for (const [key, condition] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!Array.isArray(condition) || !condition.some((alt) => matchesPattern(alt as Pattern, event)))
        return false;
      continue;
    }
    const value = (event as Record<string, unknown>)[key];
    if (isObject(condition)) {
      if (!isObject(value)) {
        // A nested pattern can only match a nested object; `exists: false` is handled in rules.
        if (!matchesRules([condition], value, key in (event as object))) return false;
        continue;
      }
      if (!matchesPattern(condition as Pattern, value)) return false;
      continue;
    }
    if (!Array.isArray(condition)) return false;
    if (!matchesRules(condition, value, key in (event as object))) return false;
  }
  return true;
}

/** A field matches if any of its rules matches any of its values. */
function matchesRules(rules: unknown[], value: unknown, present: boolean): boolean {
  const values = Array.isArray(value) ? value : [value];
  return rules.some((rule) => {
    if (isObject(rule) && 'exists' in rule) {
      const exists = present && value !== undefined && !(Array.isArray(value) && value.length === 0);
      return (rule as { exists: boolean }).exists === exists;
    }
    if (!present) return false;
    return values.some((v) => matchesRule(rule, v));
  });
}

function matchesRule(rule: unknown, value: unknown): boolean {
  if (rule === null || typeof rule !== 'object') return rule === value;
  const r = rule as Record<string, unknown>;
  if ('prefix' in r) return matchesAffix(r.prefix, value, (s, p) => s.startsWith(p));
  if ('suffix' in r) return matchesAffix(r.suffix, value, (s, p) => s.endsWith(p));
  if ('equals-ignore-case' in r) {
    return typeof value === 'string' && value.toLowerCase() === String(r['equals-ignore-case']).toLowerCase();
  }
  if ('wildcard' in r) return typeof value === 'string' && wildcard(String(r.wildcard)).test(value);
  if ('numeric' in r) return typeof value === 'number' && matchesNumeric(r.numeric as unknown[], value);
  if ('cidr' in r) return typeof value === 'string' && inCidr(String(r.cidr), value);
  if ('anything-but' in r) {
    const but = r['anything-but'];
    if (isObject(but)) {
      if ('prefix' in but)
        return typeof value === 'string' && !matchesAffix(but.prefix, value, (s, p) => s.startsWith(p));
      if ('suffix' in but)
        return typeof value === 'string' && !matchesAffix(but.suffix, value, (s, p) => s.endsWith(p));
      if ('equals-ignore-case' in but) {
        const list = ([] as unknown[]).concat(but['equals-ignore-case']).map((x) => String(x).toLowerCase());
        return typeof value === 'string' && !list.includes(value.toLowerCase());
      }
      if ('wildcard' in but) return typeof value === 'string' && !wildcard(String(but.wildcard)).test(value);
      return false;
    }
    return !([] as unknown[]).concat(but).includes(value);
  }
  return false;
}

function matchesAffix(affix: unknown, value: unknown, test: (s: string, p: string) => boolean): boolean {
  if (typeof value !== 'string') return false;
  if (isObject(affix) && 'equals-ignore-case' in affix) {
    return test(value.toLowerCase(), String(affix['equals-ignore-case']).toLowerCase());
  }
  return test(value, String(affix));
}

function matchesNumeric(conditions: unknown[], value: number): boolean {
  for (let i = 0; i < conditions.length; i += 2) {
    const op = conditions[i];
    const bound = Number(conditions[i + 1]);
    const ok =
      op === '='
        ? value === bound
        : op === '>'
          ? value > bound
          : op === '>='
            ? value >= bound
            : op === '<'
              ? value < bound
              : op === '<='
                ? value <= bound
                : false;
    if (!ok) return false;
  }
  return true;
}

function wildcard(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, 's');
}

function inCidr(cidr: string, ip: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const toInt = (a: string) => a.split('.').reduce((n, part) => (n << 8) + Number(part), 0) >>> 0;
  if (!base || !/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return false;
  const bits = Number(bitsText ?? 32);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (toInt(ip) & mask) === (toInt(base) & mask);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
