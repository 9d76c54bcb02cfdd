/**
 * EventBridge event patterns, locally: validation that refuses what EventBridge refuses, and
 * matching with EventBridge's semantics. EventBridge runs aws/event-ruler; this module follows
 * the user guide ("Content filtering in Amazon EventBridge event patterns", "Comparison
 * operators", "Arrays in event patterns") and event-ruler's documented behaviour, including
 * `rulesForJSONEvent`'s array consistency: the fields of one pattern must match within the same
 * element of an array of objects. docs/local-cloud.md lists what is supported and where this
 * differs from AWS; test/unit/local/event-pattern-*.ts is the conformance suite.
 *
 * Both sides are flattened the way event-ruler flattens them: nested keys joined with `.`, so a
 * dotted key and the nested objects it spells are the same field, and arrays are "crushed out"
 * (a field of an array of objects is a field of the parent with one value per element).
 */

/** An event pattern as it appears in a rule: a JSON object. */
export type Pattern = Record<string, unknown>;

/** The default EventBridge quota on the size of an event pattern, in characters (adjustable to 4096 in AWS). */
export const EVENT_PATTERN_MAX_LENGTH = 2048;
/** Numeric matching works on numbers in [-5e9, 5e9] with six digits after the decimal point (event-ruler ComparableNumber). */
export const NUMERIC_LIMIT = 5e9;
const NUMERIC_DECIMALS = 6;
/**
 * The largest wildcard complexity accepted: how many wildcard-pattern positions one input can keep
 * alive at once on one field (event-ruler MachineComplexityEvaluator). AWS accepted a pattern
 * scoring 8 and refused one scoring 12; the limit sits at the top of that window so that the local
 * cloud never refuses what AWS accepts on the evidence we have (docs/local-cloud.md).
 */
export const MAX_WILDCARD_COMPLEXITY = 11;
/** Not an EventBridge limit: the local engine expands `$or` into alternatives and stops here. */
export const MAX_OR_ALTERNATIVES = 10_000;

const OR = '$or';
/** Names event-ruler reserves: they cannot be field names inside `$or` (Constants.RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP). */
const RESERVED_IN_OR = new Set([
  'exactly',
  'equals-ignore-case',
  'prefix',
  'suffix',
  'anything-but',
  'exists',
  'wildcard',
  'numeric',
  'cidr',
  '=',
  '<',
  '<=',
  '>',
  '>=',
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
]);

/** A pattern EventBridge would refuse (`InvalidEventPatternException`): where, and why. */
export class InvalidEventPatternError extends Error {
  override readonly name = 'InvalidEventPatternError';

  constructor(
    /** Where in the pattern, `$` being the pattern itself, e.g. `$.detail.c-count[0].numeric`. */
    readonly path: string,
    /** The reason, worded as EventBridge words it where known. */
    readonly reason: string,
  ) {
    super(`Event pattern is not valid at ${path}: ${reason}`);
  }
}

/** A pattern compiled once and matched against many events. */
export interface CompiledPattern {
  readonly pattern: Pattern;
  matches(event: unknown): boolean;
}

/**
 * Refuses a pattern EventBridge would refuse, throwing {@link InvalidEventPatternError} with the
 * path and the reason; returns normally for a valid pattern.
 */
export function validatePattern(pattern: unknown): asserts pattern is Pattern {
  compilePattern(pattern);
}

/** Validates and compiles a pattern; the result matches events without re-reading the pattern. */
export function compilePattern(pattern: unknown): CompiledPattern {
  if (!isPlainObject(pattern)) throw new InvalidEventPatternError('$', 'Filter is not an object');
  let length: number;
  try {
    length = JSON.stringify(pattern).length;
  } catch (error) {
    throw new InvalidEventPatternError('$', `Event pattern is not JSON: ${(error as Error).message}`);
  }
  if (length > EVENT_PATTERN_MAX_LENGTH) {
    throw new InvalidEventPatternError(
      '$',
      `Event pattern is ${length} characters long; the EventBridge quota is ${EVENT_PATTERN_MAX_LENGTH}`,
    );
  }
  const wildcards = new Map<string, { path: string; tokens: WildcardToken[][] }>();
  // event-ruler walks a rule's fields in name order; absence inside arrays depends on that order.
  const alternatives = compileObject(pattern, { field: '', at: '$', insideOr: false, wildcards }).map(
    (fields) => fields.toSorted((a, b) => (a.field < b.field ? -1 : a.field > b.field ? 1 : 0)),
  );
  for (const { path, tokens } of wildcards.values()) {
    if (complexity(tokens, MAX_WILDCARD_COMPLEXITY) > MAX_WILDCARD_COMPLEXITY) {
      throw new InvalidEventPatternError(
        path,
        'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character',
      );
    }
  }
  return {
    pattern,
    matches: (event) => {
      if (!isPlainObject(event)) return false;
      const leaves = flatten(event);
      return alternatives.some((fields) => matchFields(fields, leaves));
    },
  };
}

const compiled = new WeakMap<object, CompiledPattern>();

/**
 * Whether an event matches a pattern, with EventBridge's semantics. The pattern is compiled on
 * first use and the compiled form kept (patterns are treated as immutable); an invalid pattern
 * throws {@link InvalidEventPatternError} rather than matching anything.
 */
export function matchesPattern(pattern: Pattern, event: unknown): boolean {
  let entry = compiled.get(pattern);
  if (!entry) {
    entry = compilePattern(pattern);
    compiled.set(pattern, entry);
  }
  return entry.matches(event);
}

// ---------------------------------------------------------------------------------------------
// Compilation

type Leaf = string | number | boolean | null;
type Test = (value: Leaf) => boolean;

/** One flattened field of one alternative: a leaf must pass a test, or (with `exists: false`) the field be absent. */
interface Field {
  field: string;
  tests: Test[];
  absentMatches: boolean;
}

interface Context {
  /** The flattened field name so far (event-ruler joins keys with `.`). */
  field: string;
  /** Where we are in the pattern, for refusals. */
  at: string;
  insideOr: boolean;
  wildcards: Map<string, { path: string; tokens: WildcardToken[][] }>;
}

/** Compiles an object of the pattern into its alternatives (more than one when it holds `$or`). */
function compileObject(object: Record<string, unknown>, context: Context): Field[][] {
  const keys = Object.keys(object);
  if (keys.length === 0) throw new InvalidEventPatternError(context.at, 'Empty objects are not allowed');
  let alternatives: Field[][] = [[]];
  for (const key of keys) {
    const value = object[key];
    const at = `${context.at}.${key}`;
    if (key === OR) {
      alternatives = cross(alternatives, compileOr(value, { ...context, at }), context.at);
      continue;
    }
    if (context.insideOr && RESERVED_IN_OR.has(key)) {
      throw new InvalidEventPatternError(
        at,
        `${key} is Ruler reserved fieldName which cannot be used inside $or.`,
      );
    }
    const field = context.field ? `${context.field}.${key}` : key;
    if (isPlainObject(value)) {
      alternatives = cross(alternatives, compileObject(value, { ...context, field, at }), at);
    } else if (Array.isArray(value)) {
      const compiledField = compileField(value, field, at, context);
      for (const fields of alternatives) fields.push(compiledField);
    } else {
      throw new InvalidEventPatternError(at, `"${key}" must be an object or an array`);
    }
  }
  return alternatives;
}

function compileOr(value: unknown, context: Context): Field[][] {
  if (!Array.isArray(value))
    throw new InvalidEventPatternError(context.at, 'It must be an Array followed with $or.');
  const alternatives: Field[][] = [];
  value.forEach((branch, index) => {
    const at = `${context.at}[${index}]`;
    if (!isPlainObject(branch)) {
      throw new InvalidEventPatternError(at, 'Only JSON object is allowed in array of $or relationship.');
    }
    alternatives.push(...compileObject(branch, { ...context, at, insideOr: true }));
  });
  if (value.length < 2) {
    throw new InvalidEventPatternError(context.at, 'There must have at least 2 Objects in $or relationship.');
  }
  return alternatives;
}

function cross(left: Field[][], right: Field[][], at: string): Field[][] {
  if (left.length * right.length > MAX_OR_ALTERNATIVES) {
    throw new InvalidEventPatternError(
      at,
      `$or expands to more than ${MAX_OR_ALTERNATIVES} alternatives (a limit of the local engine, not of EventBridge)`,
    );
  }
  return left.flatMap((l) => right.map((r) => [...l, ...r]));
}

/** Compiles a field's list of values and match expressions: the field matches if any of them does. */
function compileField(values: unknown[], field: string, at: string, context: Context): Field {
  if (values.length === 0) throw new InvalidEventPatternError(at, 'Empty arrays are not allowed');
  const compiledField: Field = { field, tests: [], absentMatches: false };
  values.forEach((value, index) => {
    const valueAt = `${at}[${index}]`;
    if (isPlainObject(value)) {
      const expression = compileExpression(value, valueAt, field, context);
      if (expression === 'absent') compiledField.absentMatches = true;
      else compiledField.tests.push(expression);
    } else if (isLeaf(value)) {
      compiledField.tests.push(exactTest(value));
    } else {
      throw new InvalidEventPatternError(valueAt, 'Match value must be String, number, true, false, or null');
    }
  });
  return compiledField;
}

/** Compiles one `{ operator: operand }` match expression. */
function compileExpression(
  expression: Record<string, unknown>,
  at: string,
  field: string,
  context: Context,
): Test | 'absent' {
  const operators = Object.keys(expression);
  const [operator] = operators;
  if (operator === undefined) throw new InvalidEventPatternError(at, 'Match expression name not found');
  if (operators.length > 1)
    throw new InvalidEventPatternError(at, 'Only one key allowed in match expression');
  const operand = expression[operator];
  const operandAt = `${at}.${operator}`;
  switch (operator) {
    case 'exactly': {
      const text = requireString(operand, operandAt, 'exact match pattern must be a string');
      return (v) => v === text;
    }
    case 'prefix':
      return affixTest(operand, operandAt, 'prefix', (value, affix) => value.startsWith(affix));
    case 'suffix':
      return affixTest(operand, operandAt, 'suffix', (value, affix) => value.endsWith(affix));
    case 'equals-ignore-case': {
      const text = fold(
        requireString(operand, operandAt, 'equals-ignore-case match pattern must be a string'),
      );
      return (v) => typeof v === 'string' && fold(v) === text;
    }
    case 'wildcard': {
      const tokens = parseWildcard(
        requireString(operand, operandAt, 'wildcard match pattern must be a string'),
        operandAt,
      );
      noteWildcard(context, field, tokens);
      return (v) => typeof v === 'string' && wildcardMatches(tokens, v);
    }
    case 'numeric':
      return numericTest(operand, operandAt);
    case 'cidr':
      return cidrTest(operand, operandAt);
    case 'exists':
      if (operand === true) return () => true;
      if (operand === false) return 'absent';
      throw new InvalidEventPatternError(operandAt, 'exists match pattern must be either true or false.');
    case 'anything-but':
      return anythingButTest(operand, operandAt, field, context);
    default:
      throw new InvalidEventPatternError(at, `Unrecognized match type ${operator}`);
  }
}

function exactTest(expected: Leaf): Test {
  if (typeof expected === 'number') return (v) => typeof v === 'number' && numbersEqual(v, expected);
  if (typeof expected === 'string') {
    // event-ruler turns a string that is an IP address into the address, so other spellings match.
    const address = parseIp(expected);
    if (address instanceof Uint8Array) {
      const hex = toHex(address);
      return (v) => v === expected || (typeof v === 'string' && ipHex(v) === hex);
    }
  }
  return (v) => v === expected;
}

function affixTest(
  operand: unknown,
  at: string,
  operator: 'prefix' | 'suffix',
  test: (value: string, affix: string) => boolean,
): Test {
  if (isPlainObject(operand)) {
    const keys = Object.keys(operand);
    if (keys.length === 1 && keys[0] === 'equals-ignore-case') {
      const affix = fold(
        requireString(
          operand['equals-ignore-case'],
          `${at}.equals-ignore-case`,
          'equals-ignore-case match pattern must be a string',
        ),
      );
      return (v) => typeof v === 'string' && test(fold(v), affix);
    }
    if (keys.length > 1 && keys.includes('equals-ignore-case')) {
      throw new InvalidEventPatternError(at, 'Only one key allowed in match expression');
    }
  }
  const affix = requireString(operand, at, `${operator} match pattern must be a string`);
  return (v) => typeof v === 'string' && test(v, affix);
}

function numericTest(operand: unknown, at: string): Test {
  if (!Array.isArray(operand)) throw new InvalidEventPatternError(at, 'Value of numeric must be an array.');
  const term = (index: number) => `${at}[${index}]`;
  const bound = (index: number, operator: string): number => {
    const value = operand[index];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new InvalidEventPatternError(term(index), `Value of ${operator} must be numeric`);
    }
    return toComparable(value, term(index));
  };
  const [first] = operand;
  if (typeof first !== 'string') {
    const where = operand.length === 0 ? at : term(0);
    throw new InvalidEventPatternError(
      where,
      `Invalid member in numeric match: ${JSON.stringify(first) ?? ']'}`,
    );
  }
  const tooMany = (index: number) => {
    if (operand.length > index)
      throw new InvalidEventPatternError(term(index), 'Too many elements in numeric expression');
  };
  switch (first) {
    case '=': {
      const value = bound(1, first);
      tooMany(2);
      return numberTest((v) => v === value);
    }
    case '<':
    case '<=': {
      const top = bound(1, first);
      tooMany(2);
      return numberTest(first === '<' ? (v) => v < top : (v) => v <= top);
    }
    case '>':
    case '>=': {
      const bottom = bound(1, first);
      const above = first === '>' ? (v: number) => v > bottom : (v: number) => v >= bottom;
      if (operand.length === 2) return numberTest(above);
      const second = operand[2];
      if (typeof second !== 'string') {
        throw new InvalidEventPatternError(term(2), `Bad value in numeric range: ${JSON.stringify(second)}`);
      }
      if (second !== '<' && second !== '<=')
        throw new InvalidEventPatternError(term(2), `Bad numeric range operator: ${second}`);
      const top = bound(3, second);
      if (operand.length > 4)
        throw new InvalidEventPatternError(term(4), 'Too many terms in numeric range expression');
      if (bottom >= top) throw new InvalidEventPatternError(at, 'Bottom must be less than top');
      const below = second === '<' ? (v: number) => v < top : (v: number) => v <= top;
      return numberTest((v) => above(v) && below(v));
    }
    default:
      throw new InvalidEventPatternError(term(0), `Unrecognized numeric range operator: ${first}`);
  }
}

/** A test on numbers in the comparable range, applied to their six-decimal form. */
function numberTest(test: (comparable: number) => boolean): Test {
  return (v) => {
    if (typeof v !== 'number') return false;
    const comparable = comparableOrUndefined(v);
    return comparable !== undefined && test(comparable);
  };
}

function cidrTest(operand: unknown, at: string): Test {
  const cidr = requireString(operand, at, 'prefix match pattern must be a string');
  const parts = cidr.split('/');
  if (parts.length !== 2) throw new InvalidEventPatternError(at, "Malformed CIDR, one '/' required");
  const [base = '', maskText = ''] = parts;
  if (!/^[+-]?\d+$/.test(maskText))
    throw new InvalidEventPatternError(at, 'Malformed CIDR, mask bits must be an integer');
  const maskBits = Number(maskText);
  if (maskBits < 0) throw new InvalidEventPatternError(at, 'Malformed CIDR, mask bits must not be negative');
  const address = parseIp(base);
  if (address === 'nonstandard') throw new InvalidEventPatternError(at, `Nonstandard IP address: ${base}`);
  if (address === 'invalid') throw new InvalidEventPatternError(at, `Invalid IP address: ${base}`);
  if (address.length === 4 && maskBits > 31)
    throw new InvalidEventPatternError(at, 'IPv4 mask bits must be < 32');
  if (address.length === 16 && maskBits > 127)
    throw new InvalidEventPatternError(at, 'IPv6 mask bits must be < 128');
  // As event-ruler does, the range runs from the address as written to the top of its block.
  const top = address.map((byte, index) => {
    const hostBits = Math.min(
      8,
      Math.max(0, address.length * 8 - maskBits - (address.length - 1 - index) * 8),
    );
    return byte | ((1 << hostBits) - 1);
  });
  const low = toHex(address);
  const high = toHex(top);
  return (v) => {
    if (typeof v !== 'string') return false;
    const hex = ipHex(v);
    return hex !== undefined && hex.length === low.length && hex >= low && hex <= high;
  };
}

function anythingButTest(operand: unknown, at: string, field: string, context: Context): Test {
  const notSingleValue = 'Value of anything-but must be an array or single string/number value.';
  if (isPlainObject(operand)) {
    const operators = Object.keys(operand);
    const [operator] = operators;
    if (operator === undefined)
      throw new InvalidEventPatternError(at, 'Anything-But expression name not found');
    if (!['prefix', 'suffix', 'equals-ignore-case', 'wildcard'].includes(operator)) {
      throw new InvalidEventPatternError(at, `Unsupported anything-but pattern: ${operator}`);
    }
    if (operators.length > 1)
      throw new InvalidEventPatternError(at, 'Only one key allowed in match expression');
    const innerAt = `${at}.${operator}`;
    const inner = operand[operator];
    if (isPlainObject(inner) || inner === null || typeof inner === 'boolean') {
      throw new InvalidEventPatternError(innerAt, notSingleValue);
    }
    const strings = (message: string, allowEmpty: boolean): string[] => {
      const list = Array.isArray(inner) ? inner : [inner];
      if (list.length === 0) throw new InvalidEventPatternError(innerAt, 'Empty arrays are not allowed');
      return list.map((item, index) => {
        const itemAt = Array.isArray(inner) ? `${innerAt}[${index}]` : innerAt;
        const text = requireString(item, itemAt, message);
        if (!allowEmpty && text === '')
          throw new InvalidEventPatternError(itemAt, 'Null prefix/suffix not allowed');
        return text;
      });
    };
    // Anything-but matches any value that is not an excluded string: null, numbers and booleans too (as AWS does).
    const excluding =
      (excluded: (value: string) => boolean): Test =>
      (v) =>
        typeof v !== 'string' || !excluded(v);
    switch (operator) {
      case 'prefix': {
        const prefixes = strings('prefix/suffix match pattern must be a string', false);
        return excluding((v) => prefixes.some((p) => v.startsWith(p)));
      }
      case 'suffix': {
        const suffixes = strings('prefix/suffix match pattern must be a string', false);
        return excluding((v) => suffixes.some((s) => v.endsWith(s)));
      }
      case 'equals-ignore-case': {
        const values = new Set(
          strings(
            'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.',
            true,
          ).map(fold),
        );
        return excluding((v) => values.has(fold(v)));
      }
      default: {
        const patterns = strings('wildcard match pattern must be a string', true).map((text, index) =>
          parseWildcard(text, Array.isArray(inner) ? `${innerAt}[${index}]` : innerAt),
        );
        for (const tokens of patterns) noteWildcard(context, field, tokens);
        return excluding((v) => patterns.some((tokens) => wildcardMatches(tokens, v)));
      }
    }
  }
  const list = Array.isArray(operand) ? operand : [operand];
  if (!Array.isArray(operand) && typeof operand !== 'string' && typeof operand !== 'number') {
    throw new InvalidEventPatternError(at, notSingleValue);
  }
  const strings = new Set<string>();
  const numbers = new Set<number>();
  list.forEach((item, index) => {
    const itemAt = Array.isArray(operand) ? `${at}[${index}]` : at;
    if (typeof item === 'string') strings.add(item);
    else if (typeof item === 'number' && Number.isFinite(item)) numbers.add(toComparable(item, itemAt));
    else
      throw new InvalidEventPatternError(
        itemAt,
        'Inside anything but list, start|null|boolean is not supported.',
      );
  });
  if (strings.size > 0 === numbers.size > 0) {
    throw new InvalidEventPatternError(
      at,
      'Inside anything but list, either all values are number or string, mixed type is not supported',
    );
  }
  return (v) => {
    if (typeof v === 'string') return !strings.has(v);
    if (typeof v === 'number') {
      const comparable = comparableOrUndefined(v);
      return comparable === undefined || !numbers.has(comparable);
    }
    return true;
  };
}

function requireString(value: unknown, at: string, reason: string): string {
  if (typeof value !== 'string') throw new InvalidEventPatternError(at, reason);
  return value;
}

/** Case folding for the `equals-ignore-case` family. */
function fold(text: string): string {
  return text.toLowerCase();
}

// ---------------------------------------------------------------------------------------------
// Numbers: EventBridge compares numbers in [-5e9, 5e9] to six decimal places.

function toComparable(value: number, at: string): number {
  const comparable = comparableOrUndefined(value);
  if (comparable === undefined) {
    throw new InvalidEventPatternError(at, 'Value must be between -5.0E9 and 5.0E9, inclusive');
  }
  return comparable;
}

/** The number in millionths, truncated after the sixth decimal, or undefined outside the comparable range. */
function comparableOrUndefined(value: number): number | undefined {
  if (!Number.isFinite(value) || Math.abs(value) > NUMERIC_LIMIT) return undefined;
  // Work on the shortest decimal spelling so that 0.1 is exactly 100000 millionths.
  const [mantissa = '0', exponent = '0'] = Math.abs(value).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const integerDigits = 1 + Number(exponent) + NUMERIC_DECIMALS;
  if (integerDigits <= 0) return 0;
  const millionths = Number(digits.padEnd(integerDigits, '0').slice(0, integerDigits));
  return value < 0 ? -millionths : millionths;
}

function numbersEqual(a: number, b: number): boolean {
  if (a === b) return true;
  const left = comparableOrUndefined(a);
  return left !== undefined && left === comparableOrUndefined(b);
}

// ---------------------------------------------------------------------------------------------
// IP addresses

/** Parses an IPv4 or IPv6 literal as event-ruler does (`Nonstandard` when it does not look like one). */
function parseIp(text: string): Uint8Array | 'nonstandard' | 'invalid' {
  if (/^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/.test(text)) {
    const octets = text.split('.').map(Number);
    return octets.every((octet) => octet <= 255) ? Uint8Array.from(octets) : 'invalid';
  }
  if (!/^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/.test(text)) return 'nonstandard';
  const halves = text.split('::');
  if (halves.length > 2) return 'invalid';
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return 'invalid';
  const all = [...head, ...Array<string>(halves.length === 1 ? 0 : missing).fill('0'), ...tail];
  if (!all.every((group) => /^[0-9a-fA-F]{1,4}$/.test(group))) return 'invalid';
  const bytes = new Uint8Array(16);
  all.forEach((group, index) => {
    const word = Number.parseInt(group, 16);
    bytes[index * 2] = word >> 8;
    bytes[index * 2 + 1] = word & 0xff;
  });
  return bytes;
}

function ipHex(text: string): string | undefined {
  const address = parseIp(text);
  return address instanceof Uint8Array ? toHex(address) : undefined;
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

// ---------------------------------------------------------------------------------------------
// Wildcards: `*` matches any run of characters, `\*` a star, `\\` a backslash.

type WildcardToken = { star: true } | { star: false; char: string };

function parseWildcard(text: string, at: string): WildcardToken[] {
  const tokens: WildcardToken[] = [];
  for (let index = 0; index < text.length; index++) {
    const char = text.charAt(index);
    if (char === '\\') {
      const next = text.charAt(index + 1);
      if (next !== '*' && next !== '\\')
        throw new InvalidEventPatternError(at, `Invalid escape character at pos ${index}`);
      tokens.push({ star: false, char: next });
      index++;
    } else if (char === '*') {
      if (tokens.at(-1)?.star) {
        throw new InvalidEventPatternError(at, `Consecutive wildcard characters at pos ${index}`);
      }
      tokens.push({ star: true });
    } else {
      tokens.push({ star: false, char });
    }
  }
  return tokens;
}

/** The positions reachable without reading a character (a star may match nothing). */
function closure(tokens: WildcardToken[], positions: Iterable<number>): Set<number> {
  const result = new Set<number>();
  for (let position of positions) {
    result.add(position);
    while (tokens[position]?.star) result.add(++position);
  }
  return result;
}

function step(tokens: WildcardToken[], positions: Set<number>, char: string | undefined): Set<number> {
  const next: number[] = [];
  for (const position of positions) {
    const token = tokens[position];
    if (!token) continue;
    if (token.star) next.push(position);
    else if (char !== undefined && token.char === char) next.push(position + 1);
  }
  return closure(tokens, next);
}

/** Runs the wildcard as a set of positions over the value: linear, no backtracking. */
function wildcardMatches(tokens: WildcardToken[], value: string): boolean {
  let positions = closure(tokens, [0]);
  // By UTF-16 unit, as the pattern was parsed, so that both sides agree on astral characters.
  for (let index = 0; index < value.length && positions.size > 0; index++) {
    positions = step(tokens, positions, value.charAt(index));
  }
  return positions.has(tokens.length);
}

function noteWildcard(context: Context, field: string, tokens: WildcardToken[]) {
  const entry = context.wildcards.get(field) ?? { path: `$.${field}`, tokens: [] };
  entry.tokens.push(tokens);
  context.wildcards.set(field, entry);
}

/**
 * The most wildcard-pattern positions one input can keep alive at once over the given wildcards
 * (all those on one field of a rule): the measure event-ruler's MachineComplexityEvaluator takes.
 * Throws {@link InvalidEventPatternError} for a wildcard that does not parse.
 */
export function wildcardComplexity(wildcards: string[]): number {
  return complexity(wildcards.map((text, index) => parseWildcard(text, `$[${index}]`)));
}

/**
 * Explores the sets of positions reachable by any input, one symbol standing for every other
 * character; stops as soon as the count passes `stopAbove` (enough to refuse the rule).
 */
function complexity(patterns: WildcardToken[][], stopAbove = Number.POSITIVE_INFINITY): number {
  if (!patterns.some((tokens) => tokens.some((token) => token.star))) return 0;
  const alphabet = new Set<string | undefined>([undefined]);
  for (const tokens of patterns) for (const token of tokens) if (!token.star) alphabet.add(token.char);
  const key = (states: Set<number>[]) => states.map((s) => [...s].sort((a, b) => a - b).join(',')).join('|');
  const start = patterns.map((tokens) => closure(tokens, [0]));
  const seen = new Set([key(start)]);
  const queue = [start];
  let worst = 0;
  for (let head = 0; head < queue.length && seen.size < 20_000; head++) {
    const states = queue[head] as Set<number>[];
    // Count positions still on their way to a match (event-ruler counts prefixes that can lead to a wildcard match).
    const alive = states.reduce((sum, positions, index) => {
      const length = patterns[index]?.length ?? 0;
      return sum + [...positions].filter((position) => position < length).length;
    }, 0);
    worst = Math.max(worst, alive);
    if (worst > stopAbove) return worst;
    for (const char of alphabet) {
      const next = states.map((positions, index) => step(patterns[index] ?? [], positions, char));
      const nextKey = key(next);
      if (!seen.has(nextKey)) {
        seen.add(nextKey);
        queue.push(next);
      }
    }
  }
  return worst;
}

// ---------------------------------------------------------------------------------------------
// Matching

interface FlatLeaf {
  value: Leaf;
  /** The arrays this leaf sits in: array id → element index. */
  trail: Map<number, number>;
}

/** Flattens an event into dotted field names, each with its leaves and the array elements they sit in. */
function flatten(event: Record<string, unknown>): Map<string, FlatLeaf[]> {
  const leaves = new Map<string, FlatLeaf[]>();
  let arrays = 0;
  const visit = (node: unknown, field: string, trail: Map<number, number>) => {
    if (Array.isArray(node)) {
      const id = arrays++;
      node.forEach((element, index) => {
        visit(element, field, new Map(trail).set(id, index));
      });
    } else if (isPlainObject(node)) {
      for (const [key, value] of Object.entries(node)) visit(value, field ? `${field}.${key}` : key, trail);
    } else if (isLeaf(node)) {
      const list = leaves.get(field) ?? [];
      list.push({ value: node, trail });
      leaves.set(field, list);
    }
  };
  visit(event, '', new Map());
  return leaves;
}

/**
 * Whether every field matches, with leaves chosen so that no two of them sit in different elements
 * of the same array (event-ruler's array consistency). As in event-ruler, fields are taken in name
 * order and `exists: false` asks whether the field is absent from the elements chosen so far: a
 * field present only in other elements of the array counts as absent.
 */
function matchFields(fields: Field[], leaves: Map<string, FlatLeaf[]>): boolean {
  interface Step {
    passing: FlatLeaf[];
    present: FlatLeaf[];
    absentMatches: boolean;
  }
  // First each field on its own. A field absent from the whole event, or satisfied by a leaf outside
  // any array, constrains nothing; the others need a consistent choice.
  const steps: Step[] = [];
  for (const field of fields) {
    const present = leaves.get(field.field) ?? [];
    if (present.length === 0) {
      if (field.absentMatches) continue;
      return false;
    }
    const passing = present.filter((leaf) => field.tests.some((test) => test(leaf.value)));
    if (passing.some((leaf) => leaf.trail.size === 0)) continue;
    if (passing.length === 0 && !field.absentMatches) return false;
    steps.push({ passing, present, absentMatches: field.absentMatches });
  }
  const choose = (index: number, chosen: Map<number, number>): boolean => {
    const step = steps[index];
    if (!step) return true;
    for (const leaf of step.passing) {
      const merged = consistent(chosen, leaf.trail);
      if (merged && choose(index + 1, merged)) return true;
    }
    const absentHere = step.absentMatches && !step.present.some((leaf) => consistent(chosen, leaf.trail));
    return absentHere && choose(index + 1, chosen);
  };
  return choose(0, new Map());
}

function consistent(
  chosen: Map<number, number>,
  trail: Map<number, number>,
): Map<number, number> | undefined {
  let merged: Map<number, number> | undefined;
  for (const [array, element] of trail) {
    const already = chosen.get(array);
    if (already === undefined) {
      merged ??= new Map(chosen);
      merged.set(array, element);
    } else if (already !== element) {
      return undefined;
    }
  }
  return merged ?? chosen;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isLeaf(value: unknown): value is Leaf {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}
