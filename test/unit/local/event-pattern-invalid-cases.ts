/**
 * Patterns EventBridge refuses, each with where the refusal points and why. The reasons follow
 * the wording EventBridge returns ("Event pattern is not valid. Reason: …"), as recorded from
 * PutRule/TestEventPattern by LocalStack's AWS-validated snapshots (AWS-OBSERVED) or as written
 * in aws/event-ruler's rule compiler (RULER), the engine behind EventBridge; the user guide
 * (UG) is cited where it states the rule.
 */

export interface InvalidCase {
  name: string;
  pattern: unknown;
  /** Where the refusal points, `$` being the pattern itself. */
  path: string;
  reason: RegExp;
}

export interface InvalidGroup {
  source: string;
  cases: InvalidCase[];
}

const x = (name: string, pattern: unknown, path: string, reason: RegExp): InvalidCase => ({
  name,
  pattern,
  path,
  reason,
});

export const invalidGroups: InvalidGroup[] = [
  {
    source:
      'Structure (RULER rule compiler; AWS-OBSERVED test_invalid_json_event_pattern, string_nolist_EXC, int_nolist_EXC, arrays_empty_EXC)',
    cases: [
      x('an array instead of an object', ['not', 'a', 'dict'], '$', /Filter is not an object/),
      x('a string instead of an object', 'source', '$', /Filter is not an object/),
      x('null instead of an object', null, '$', /Filter is not an object/),
      x('the empty pattern', {}, '$', /Empty objects are not allowed/),
      x('an empty nested object', { detail: {} }, '$.detail', /Empty objects are not allowed/),
      x(
        'a string where a list belongs',
        { string: 'my-value' },
        '$.string',
        /"string" must be an object or an array/,
      ),
      x('a number where a list belongs', { int: 42 }, '$.int', /"int" must be an object or an array/),
      x(
        'null where a list belongs',
        { detail: { state: null } },
        '$.detail.state',
        /"state" must be an object or an array/,
      ),
      x('true where a list belongs', { flag: true }, '$.flag', /"flag" must be an object or an array/),
      x('an empty list', { resources: [] }, '$.resources', /Empty arrays are not allowed/),
      x(
        'a list inside a list',
        { source: [['aws.ec2']] },
        '$.source[0]',
        /Match value must be String, number, true, false, or null/,
      ),
      x('an empty match expression', { source: [{}] }, '$.source[0]', /Match expression name not found/),
      x(
        'two operators in one expression',
        { source: [{ prefix: 'a', suffix: 'b' }] },
        '$.source[0]',
        /Only one key allowed in match expression/,
      ),
      x(
        'an unknown operator',
        { source: [{ contains: 'ec2' }] },
        '$.source[0]',
        /Unrecognized match type contains/,
      ),
      x(
        'operators are case-sensitive (AWS-OBSERVED operator_case_sensitive_EXC)',
        { my_key: [{ EXISTS: true }] },
        '$.my_key[0]',
        /Unrecognized match type EXISTS/,
      ),
      x(
        'operators are case-sensitive (AWS-OBSERVED content_numeric_operatorcasing_EXC)',
        { detail: { equal: [{ NUMERIC: ['=', 5] }] } },
        '$.detail.equal[0]',
        /Unrecognized match type NUMERIC/,
      ),
      x(
        'an undefined value (not JSON)',
        { source: [undefined] },
        '$.source[0]',
        /Match value must be String, number, true, false, or null/,
      ),
      x(
        'a value that is not a finite number (not JSON)',
        { n: [Number.NaN] },
        '$.n[0]',
        /Match value must be String, number, true, false, or null/,
      ),
      x(
        'a pattern that is not JSON (a cycle)',
        (() => {
          const cyclic: Record<string, unknown> = { source: ['a'] };
          cyclic.self = cyclic;
          return cyclic;
        })(),
        '$',
        /Event pattern is not JSON/,
      ),
      x('a pattern over the 2048-character quota (UG quotas)', { source: ['x'.repeat(2050)] }, '$', /2048/),
    ],
  },
  {
    source:
      'prefix, suffix, equals-ignore-case (AWS-OBSERVED content_prefix_*_EXC, content_suffix_*_EXC, content_ignorecase_*_EXC)',
    cases: [
      x(
        'prefix as a list',
        { time: [{ prefix: ['2022-07-13'] }] },
        '$.time[0].prefix',
        /prefix match pattern must be a string/,
      ),
      x(
        'prefix as a number',
        { time: [{ prefix: 123 }] },
        '$.time[0].prefix',
        /prefix match pattern must be a string/,
      ),
      x(
        'prefix as null',
        { time: [{ prefix: null }] },
        '$.time[0].prefix',
        /prefix match pattern must be a string/,
      ),
      x(
        'prefix with another operator inside',
        { time: [{ prefix: { suffix: 'x' } }] },
        '$.time[0].prefix',
        /prefix match pattern must be a string/,
      ),
      x(
        'prefix ignoring case with a number',
        { s: [{ prefix: { 'equals-ignore-case': 5 } }] },
        '$.s[0].prefix.equals-ignore-case',
        /equals-ignore-case match pattern must be a string/,
      ),
      x(
        'prefix ignoring case with a second key',
        { s: [{ prefix: { 'equals-ignore-case': 'a', x: 'b' } }] },
        '$.s[0].prefix',
        /Only one key allowed in match expression/,
      ),
      x(
        'suffix as a list',
        { FileName: [{ suffix: ['.png'] }] },
        '$.FileName[0].suffix',
        /suffix match pattern must be a string/,
      ),
      x(
        'suffix as a number',
        { FileName: [{ suffix: 123 }] },
        '$.FileName[0].suffix',
        /suffix match pattern must be a string/,
      ),
      x(
        'equals-ignore-case as a list',
        { 'detail-type': [{ 'equals-ignore-case': ['ec2 instance state-change notification'] }] },
        '$.detail-type[0].equals-ignore-case',
        /equals-ignore-case match pattern must be a string/,
      ),
      x(
        'equals-ignore-case with an operator inside',
        { 'detail-type': [{ 'equals-ignore-case': { prefix: 'ec2' } }] },
        '$.detail-type[0].equals-ignore-case',
        /equals-ignore-case match pattern must be a string/,
      ),
      x(
        'exactly as a number',
        { s: [{ exactly: 5 }] },
        '$.s[0].exactly',
        /exact match pattern must be a string/,
      ),
    ],
  },
  {
    source: 'wildcard (UG wildcard matching; AWS-OBSERVED content_wildcard_*_EXC)',
    cases: [
      x(
        'wildcard as a number',
        { EventBusArn: [{ wildcard: 123 }] },
        '$.EventBusArn[0].wildcard',
        /wildcard match pattern must be a string/,
      ),
      x(
        'wildcard as a list',
        { EventBusArn: [{ wildcard: ['arn:aws:events:*:event-bus/*'] }] },
        '$.EventBusArn[0].wildcard',
        /wildcard match pattern must be a string/,
      ),
      x(
        'consecutive wildcard characters',
        { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:**:event-bus/*' }] },
        '$.EventBusArn[0].wildcard',
        /Consecutive wildcard characters at pos 26/,
      ),
      x(
        'a backslash escaping another character',
        { v: [{ wildcard: 'a\\b*' }] },
        '$.v[0].wildcard',
        /Invalid escape character at pos 1/,
      ),
      x(
        'a trailing backslash',
        { v: [{ wildcard: 'ab\\' }] },
        '$.v[0].wildcard',
        /Invalid escape character at pos 2/,
      ),
      x(
        'a wildcard too complex for EventBridge',
        { EventBusArn: [{ wildcard: '*:*:*:*:*:event-bus/*' }] },
        '$.EventBusArn',
        /Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character/,
      ),
    ],
  },
  {
    source: 'numeric (UG numeric matching; AWS-OBSERVED content_numeric_*_EXC; RULER)',
    cases: [
      x(
        'numeric as a number',
        { n: [{ numeric: 10 }] },
        '$.n[0].numeric',
        /Value of numeric must be an array/,
      ),
      x(
        'numeric as an empty list',
        { n: [{ numeric: [] }] },
        '$.n[0].numeric',
        /Invalid member in numeric match/,
      ),
      x(
        'numeric with a quoted bound',
        { n: [{ numeric: ['=', '5'] }] },
        '$.n[0].numeric[1]',
        /Value of = must be numeric/,
      ),
      x(
        'numeric without a bound',
        { n: [{ numeric: ['>'] }] },
        '$.n[0].numeric[1]',
        /Value of > must be numeric/,
      ),
      x(
        'numeric starting with a number',
        { n: [{ numeric: [5, '>'] }] },
        '$.n[0].numeric[0]',
        /Invalid member in numeric match/,
      ),
      x(
        'an unknown comparison',
        { n: [{ numeric: ['!=', 5] }] },
        '$.n[0].numeric[0]',
        /Unrecognized numeric range operator: !=/,
      ),
      x(
        'two lower bounds',
        { detail: { 'c-count': [{ numeric: ['>', 0, '>', 0] }] } },
        '$.detail.c-count[0].numeric[2]',
        /Bad numeric range operator: >/,
      ),
      x(
        'a missing upper bound',
        { detail: { 'c-count': [{ numeric: ['>', 0, '<'] }] } },
        '$.detail.c-count[0].numeric[3]',
        /Value of < must be numeric/,
      ),
      x(
        'the upper bound first',
        { n: [{ numeric: ['<', 5, '>', 0] }] },
        '$.n[0].numeric[2]',
        /Too many elements in numeric expression/,
      ),
      x(
        'equality with a second term',
        { n: [{ numeric: ['=', 5, '<', 6] }] },
        '$.n[0].numeric[2]',
        /Too many elements in numeric expression/,
      ),
      x(
        'three terms',
        { n: [{ numeric: ['>', 0, '<', 5, '<', 6] }] },
        '$.n[0].numeric[4]',
        /Too many terms in numeric range expression/,
      ),
      x(
        'a bound above 5e9',
        { n: [{ numeric: ['>', 5.000001e9] }] },
        '$.n[0].numeric[1]',
        /Value must be between -5\.0E9 and 5\.0E9, inclusive/,
      ),
      x(
        'a bound below -5e9',
        { n: [{ numeric: ['<=', -1e10] }] },
        '$.n[0].numeric[1]',
        /Value must be between -5\.0E9 and 5\.0E9, inclusive/,
      ),
      x(
        'an empty range',
        { n: [{ numeric: ['>', 10, '<', 5] }] },
        '$.n[0].numeric',
        /Bottom must be less than top/,
      ),
      x(
        'a range of one point',
        { n: [{ numeric: ['>=', 5, '<=', 5] }] },
        '$.n[0].numeric',
        /Bottom must be less than top/,
      ),
      x(
        'a second key beside numeric',
        { n: [{ numeric: ['>', 1], exists: true }] },
        '$.n[0]',
        /Only one key allowed in match expression/,
      ),
    ],
  },
  {
    source: 'anything-but (UG anything-but matching; AWS-OBSERVED content_anything_*_EXC; RULER)',
    cases: [
      x(
        'anything-but null (AWS-OBSERVED content_anything_but_string_null_type_EXC)',
        { s: [{ 'anything-but': null }] },
        '$.s[0].anything-but',
        /Value of anything-but must be an array or single string\/number value/,
      ),
      x(
        'anything-but true',
        { s: [{ 'anything-but': true }] },
        '$.s[0].anything-but',
        /Value of anything-but must be an array or single string\/number value/,
      ),
      x(
        'anything-but an empty list',
        { s: [{ 'anything-but': [] }] },
        '$.s[0].anything-but',
        /either all values are number or string, mixed type is not supported/,
      ),
      x(
        'anything-but a mixed list',
        { s: [{ 'anything-but': ['a', 1] }] },
        '$.s[0].anything-but',
        /either all values are number or string, mixed type is not supported/,
      ),
      x(
        'anything-but a list holding null',
        { s: [{ 'anything-but': ['a', null] }] },
        '$.s[0].anything-but[1]',
        /Inside anything but list, start\|null\|boolean is not supported/,
      ),
      x(
        'anything-but a list of expressions',
        { s: [{ 'anything-but': [{ prefix: 'abc-' }, { prefix: 'xyz-' }] }] },
        '$.s[0].anything-but[0]',
        /Inside anything but list, start\|null\|boolean is not supported/,
      ),
      x(
        'anything-but an empty object',
        { s: [{ 'anything-but': {} }] },
        '$.s[0].anything-but',
        /Anything-But expression name not found/,
      ),
      x(
        'anything-but numeric',
        { s: [{ 'anything-but': { numeric: ['>', 1] } }] },
        '$.s[0].anything-but',
        /Unsupported anything-but pattern: numeric/,
      ),
      x(
        'anything-but exists',
        { s: [{ 'anything-but': { exists: true } }] },
        '$.s[0].anything-but',
        /Unsupported anything-but pattern: exists/,
      ),
      x(
        'anything-but two operators',
        { s: [{ 'anything-but': { prefix: 'a', suffix: 'b' } }] },
        '$.s[0].anything-but',
        /Only one key allowed in match expression/,
      ),
      x(
        'anything-but a number above 5e9',
        { s: [{ 'anything-but': 1e10 }] },
        '$.s[0].anything-but',
        /Value must be between -5\.0E9 and 5\.0E9, inclusive/,
      ),
      x(
        'anything-but the empty prefix (AWS-OBSERVED content_anything_prefix_empty_EXC)',
        { s: [{ 'anything-but': { prefix: '' } }] },
        '$.s[0].anything-but.prefix',
        /Null prefix\/suffix not allowed/,
      ),
      x(
        'anything-but the empty suffix (AWS-OBSERVED content_anything_suffix_empty_EXC)',
        { s: [{ 'anything-but': { suffix: '' } }] },
        '$.s[0].anything-but.suffix',
        /Null prefix\/suffix not allowed/,
      ),
      x(
        'anything-but a numeric prefix (AWS-OBSERVED content_anything_prefix_int_EXC)',
        { s: [{ 'anything-but': { prefix: 123 } }] },
        '$.s[0].anything-but.prefix',
        /prefix\/suffix match pattern must be a string/,
      ),
      x(
        'anything-but a prefix list holding a number (AWS-OBSERVED content_anything_prefix_list_type_EXC)',
        { s: [{ 'anything-but': { prefix: [123, 'test'] } }] },
        '$.s[0].anything-but.prefix[0]',
        /prefix\/suffix match pattern must be a string/,
      ),
      x(
        'anything-but a suffix list holding a number (AWS-OBSERVED content_anything_suffix_list_type_EXC)',
        { s: [{ 'anything-but': { suffix: [123, '.txt'] } }] },
        '$.s[0].anything-but.suffix[0]',
        /prefix\/suffix match pattern must be a string/,
      ),
      x(
        'anything-but an empty prefix list',
        { s: [{ 'anything-but': { prefix: [] } }] },
        '$.s[0].anything-but.prefix',
        /Empty arrays are not allowed/,
      ),
      x(
        'anything-but a prefix ignoring case (AWS-OBSERVED content_anything_prefix_ignorecase_EXC)',
        { s: [{ 'anything-but': { prefix: { 'equals-ignore-case': 'file' } } }] },
        '$.s[0].anything-but.prefix',
        /Value of anything-but must be an array or single string\/number value/,
      ),
      x(
        'anything-but a suffix ignoring case (AWS-OBSERVED content_anything_suffix_ignorecase_EXC)',
        { s: [{ 'anything-but': { suffix: { 'equals-ignore-case': '.png' } } }] },
        '$.s[0].anything-but.suffix',
        /Value of anything-but must be an array or single string\/number value/,
      ),
      x(
        'anything-but ignoring case of a number (AWS-OBSERVED content_anything_but_ignorecase_EXC)',
        { s: [{ 'anything-but': { 'equals-ignore-case': 123 } }] },
        '$.s[0].anything-but.equals-ignore-case',
        /Inside anything-but\/equals-ignore-case list, number\|start\|null\|boolean is not supported/,
      ),
      x(
        'anything-but ignoring case of numbers (AWS-OBSERVED content_anything_but_ignorecase_list_EXC)',
        { s: [{ 'anything-but': { 'equals-ignore-case': [123, 456] } }] },
        '$.s[0].anything-but.equals-ignore-case[0]',
        /Inside anything-but\/equals-ignore-case list, number\|start\|null\|boolean is not supported/,
      ),
      x(
        'anything-but a numeric wildcard (AWS-OBSERVED content_anything_wildcard_type_EXC)',
        { s: [{ 'anything-but': { wildcard: 123 } }] },
        '$.s[0].anything-but.wildcard',
        /wildcard match pattern must be a string/,
      ),
      x(
        'anything-but a wildcard list holding a number (AWS-OBSERVED content_anything_wildcard_list_type_EXC)',
        { s: [{ 'anything-but': { wildcard: [123, '*/dir/*'] } }] },
        '$.s[0].anything-but.wildcard[0]',
        /wildcard match pattern must be a string/,
      ),
      x(
        'anything-but a wildcard with consecutive stars',
        { s: [{ 'anything-but': { wildcard: 'a**' } }] },
        '$.s[0].anything-but.wildcard',
        /Consecutive wildcard characters at pos 2/,
      ),
    ],
  },
  {
    source: 'exists (UG exists matching; RULER)',
    cases: [
      x(
        'exists as a string',
        { s: [{ exists: 'true' }] },
        '$.s[0].exists',
        /exists match pattern must be either true or false/,
      ),
      x(
        'exists as null',
        { s: [{ exists: null }] },
        '$.s[0].exists',
        /exists match pattern must be either true or false/,
      ),
      x(
        'exists with a second key',
        { s: [{ exists: true, prefix: 'a' }] },
        '$.s[0]',
        /Only one key allowed in match expression/,
      ),
    ],
  },
  {
    source: 'cidr (UG IP address matching; AWS-OBSERVED content_ip_address_*_EXC; RULER CIDR)',
    cases: [
      x(
        'a cidr without a mask (AWS-OBSERVED content_ip_address_EXC)',
        { ip: [{ cidr: '10.0.0.0' }] },
        '$.ip[0].cidr',
        /Malformed CIDR, one '\/' required/,
      ),
      x(
        'a mask that is not a number (AWS-OBSERVED content_ip_address_bad_mask_EXC)',
        { ip: [{ cidr: '10.0.0.0/xx' }] },
        '$.ip[0].cidr',
        /Malformed CIDR, mask bits must be an integer/,
      ),
      x(
        'a negative mask',
        { ip: [{ cidr: '10.0.0.0/-1' }] },
        '$.ip[0].cidr',
        /Malformed CIDR, mask bits must not be negative/,
      ),
      x(
        'not an address (AWS-OBSERVED content_ip_address_bad_ip_EXC)',
        { ip: [{ cidr: 'xx.11.xx/24' }] },
        '$.ip[0].cidr',
        /Nonstandard IP address: xx\.11\.xx/,
      ),
      x(
        'not an IPv6 address (AWS-OBSERVED content_ip_address_v6_bad_ip_EXC)',
        { ip: [{ cidr: 'xxxx:db8:1234:1a00::/64' }] },
        '$.ip[0].cidr',
        /Nonstandard IP address: xxxx:db8:1234:1a00::/,
      ),
      x(
        'an IPv4 octet above 255',
        { ip: [{ cidr: '10.0.0.256/24' }] },
        '$.ip[0].cidr',
        /Invalid IP address: 10\.0\.0\.256/,
      ),
      x(
        'an IPv4 mask of 32 or more',
        { ip: [{ cidr: '10.0.0.1/32' }] },
        '$.ip[0].cidr',
        /IPv4 mask bits must be < 32/,
      ),
      x(
        'an IPv6 mask of 128 or more',
        { ip: [{ cidr: '::1/128' }] },
        '$.ip[0].cidr',
        /IPv6 mask bits must be < 128/,
      ),
      x(
        'cidr as a list (AWS-OBSERVED content_ip_address_type_EXC)',
        { ip: [{ cidr: ['bad-type'] }] },
        '$.ip[0].cidr',
        /prefix match pattern must be a string/,
      ),
    ],
  },
  {
    source: '$or (UG $or matching; RULER "The $or primitive")',
    cases: [
      x('$or as an object', { $or: { source: ['a'] } }, '$.$or', /It must be an Array followed with \$or\./),
      x(
        '$or with one branch',
        { $or: [{ source: ['a'] }] },
        '$.$or',
        /There must have at least 2 Objects in \$or relationship\./,
      ),
      x(
        '$or holding a string',
        { $or: [{ source: ['a'] }, 'b'] },
        '$.$or[1]',
        /Only JSON object is allowed in array of \$or relationship\./,
      ),
      x(
        '$or holding an empty object',
        { $or: [{ source: ['a'] }, {}] },
        '$.$or[1]',
        /Empty objects are not allowed/,
      ),
      x(
        'operators used as field names inside $or (RULER reserved names)',
        { $or: [{ numeric: [123] }, { prefix: ['abc'] }] },
        '$.$or[0].numeric',
        /numeric is Ruler reserved fieldName which cannot be used inside \$or\./,
      ),
      x(
        'a bad operator inside a nested $or branch names its path',
        { detail: { $or: [{ a: ['x'] }, { b: [{ prefix: 1 }] }] } },
        '$.detail.$or[1].b[0].prefix',
        /prefix match pattern must be a string/,
      ),
    ],
  },
];

/** Patterns EventBridge accepts that a strict reading might refuse; validation must let them through. */
export const validPatterns: { name: string; pattern: Record<string, unknown> }[] = [
  { name: 'the empty prefix', pattern: { s: [{ prefix: '' }] } },
  {
    name: 'the empty wildcard in anything-but (AWS-OBSERVED content_anything_wildcard_empty)',
    pattern: { s: [{ 'anything-but': { wildcard: '' } }] },
  },
  { name: 'anything-but a list of prefixes', pattern: { s: [{ 'anything-but': { prefix: ['a', 'b'] } }] } },
  { name: 'anything-but a number at the limit', pattern: { n: [{ 'anything-but': [5e9, -5e9] }] } },
  { name: 'numeric at both limits', pattern: { n: [{ numeric: ['>=', -5e9, '<=', 5e9] }] } },
  { name: 'a number beyond the numeric range as an exact value', pattern: { account: [123456789012] } },
  { name: 'mixed value kinds in one list', pattern: { v: ['a', 1, true, null, { prefix: 'b' }] } },
  { name: 'an IPv4 /0 and /31', pattern: { ip: [{ cidr: '0.0.0.0/0' }, { cidr: '10.0.0.0/31' }] } },
  { name: 'an IPv6 /127', pattern: { ip: [{ cidr: '2001:db8::/127' }] } },
  { name: 'escaped stars and backslashes in a wildcard', pattern: { v: [{ wildcard: '\\*\\\\*' }] } },
  {
    name: 'a wildcard with repeated segments (AWS-OBSERVED content_wildcard_repeating)',
    pattern: { f: [{ wildcard: '/Users/*/dir/dir/dir/dir/dir/doc.txt' }] },
  },
  { name: 'a few wildcards', pattern: { f: [{ wildcard: 'arn:aws:events:*:123456789012:event-bus/*' }] } },
  { name: 'exactly (event-ruler)', pattern: { s: [{ exactly: 'a' }] } },
  { name: 'nested $or', pattern: { $or: [{ a: ['1'] }, { b: ['2'], $or: [{ c: ['3'] }, { d: ['4'] }] }] } },
  { name: 'a dotted key', pattern: { 'detail.state': ['x'] } },
];
