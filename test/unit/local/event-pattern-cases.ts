/**
 * The conformance table for the local EventBridge pattern engine: {pattern, event, expected}
 * cases grouped by the section of the documentation they come from. Sources:
 *
 * - UG-PATTERNS: EventBridge user guide, "Creating Amazon EventBridge event patterns" and
 *   "Event pattern syntax" (matching values, considerations, null values and empty strings).
 * - UG-ARRAYS: user guide, "Arrays in Amazon EventBridge event patterns".
 * - UG-FILTERING: user guide, "Content filtering in Amazon EventBridge event patterns" and
 *   "Comparison operators for use in event patterns" (prefix, suffix, equals-ignore-case,
 *   wildcard, anything-but, numeric, IP address, exists, $or, complex example).
 * - RULER: aws/event-ruler README ("Ruler by example", "JSON Array Matching", the $or primitive,
 *   "Compiled rules and JSON keys with dots").
 * - AWS-OBSERVED: results AWS returned from TestEventPattern, as recorded by LocalStack's
 *   AWS-validated snapshot suite (tests/aws/services/events/event_pattern_templates); each such
 *   case names its template.
 */

export interface MatchCase {
  name: string;
  pattern: Record<string, unknown>;
  event: Record<string, unknown>;
  expected: boolean;
}

export interface CaseGroup {
  source: string;
  cases: MatchCase[];
}

/** The EC2 state-change event the user guide uses throughout, with the detail fields its examples read. */
export const ec2Event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: {
    'instance-id': 'i-1234567890abcdef0',
    state: 'terminated',
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.123',
    location: 'us-east-1',
    filename: 'image.png',
  },
};

/** The EC2 event with `detail` replaced. */
export function withDetail(detail: unknown): Record<string, unknown> {
  return { ...ec2Event, detail };
}

const c = (
  name: string,
  pattern: Record<string, unknown>,
  event: Record<string, unknown>,
  expected: boolean,
) => ({
  name,
  pattern,
  event,
  expected,
});

export const matchGroups: CaseGroup[] = [
  {
    source: 'UG-PATTERNS: matching event values, fields are AND, values are OR',
    cases: [
      c(
        'the guide’s EC2 termination pattern',
        {
          source: ['aws.ec2'],
          'detail-type': ['EC2 Instance State-change Notification'],
          detail: { state: ['terminated'] },
        },
        ec2Event,
        true,
      ),
      c('a value not listed', { detail: { state: ['running', 'stopped'] } }, ec2Event, false),
      c('a value among several (OR)', { detail: { state: ['running', 'terminated'] } }, ec2Event, true),
      c(
        'every field must match (AND)',
        { source: ['aws.ec2'], detail: { state: ['running'] } },
        ec2Event,
        false,
      ),
      c('a field the event lacks', { detail: { missing: ['x'] } }, ec2Event, false),
      c('a nested pattern against a scalar', { source: { nested: ['x'] } }, ec2Event, false),
      c('a value list against an object', { detail: ['x'] }, ec2Event, false),
      c('matching is case-sensitive (values)', { source: ['AWS.EC2'] }, ec2Event, false),
      c('matching is case-sensitive (keys)', { Source: ['aws.ec2'] }, ec2Event, false),
      c('fields the pattern does not name are ignored', { region: ['us-west-1'] }, ec2Event, true),
      c('envelope fields such as account match', { account: ['111122223333'] }, ec2Event, true),
      c('a number matches the same number', { detail: { 'c-count': [5] } }, ec2Event, true),
      c('a number matches another number', { detail: { 'c-count': [6] } }, ec2Event, false),
      c(
        'a number matches its other spellings (AWS-OBSERVED number_comparison_float: 300 = 300.0)',
        { number: [300] },
        { ...ec2Event, number: 300.0 },
        true,
      ),
      c('a quoted number does not match a number', { detail: { 'c-count': ['5'] } }, ec2Event, false),
      c('a number does not match a quoted number', { n: [5] }, { n: '5' }, false),
      c(
        'numbers beyond the numeric range still match exactly (an account id as a number)',
        { n: [123456789012] },
        { n: 123456789012 },
        true,
      ),
      c('…and not another one', { n: [123456789012] }, { n: 123456789013 }, false),
      c('true matches true', { flag: [true] }, { flag: true }, true),
      c('true does not match "true"', { flag: [true] }, { flag: 'true' }, false),
      c('false does not match null', { flag: [false] }, { flag: null }, false),
      c(
        'null matches null (UG null values; AWS-OBSERVED null_value)',
        { detail: { responseElements: [null] } },
        withDetail({ eventVersion: '', responseElements: null }),
        true,
      ),
      c(
        'null does not match "null" (AWS-OBSERVED null_value_NEG)',
        { detail: { responseElements: [null] } },
        withDetail({ responseElements: 'null' }),
        false,
      ),
      c(
        'null does not match a missing field',
        { detail: { responseElements: [null] } },
        withDetail({}),
        false,
      ),
      c(
        'the empty string matches the empty string (UG null values)',
        { detail: { eventVersion: [''] } },
        withDetail({ eventVersion: '', responseElements: null }),
        true,
      ),
      c(
        'the empty string does not match a missing field',
        { detail: { eventVersion: [''] } },
        withDetail({}),
        false,
      ),
      c(
        'the empty string does not match null',
        { detail: { eventVersion: [''] } },
        withDetail({ eventVersion: null }),
        false,
      ),
      c(
        'a string that is an IP address matches the same address written differently',
        { ip: ['2001:db8::1'] },
        { ip: '2001:0db8:0000:0000:0000:0000:0000:0001' },
        true,
      ),
      c(
        'an event that is not an object never matches',
        { source: ['aws.ec2'] },
        [] as unknown as Record<string, unknown>,
        false,
      ),
    ],
  },
  {
    source: 'UG-ARRAYS and RULER "JSON Array Matching": arrays in events',
    cases: [
      c(
        'a pattern value matches any element (the guide’s resources example; AWS-OBSERVED arrays)',
        {
          resources: [
            'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
            'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
          ],
        },
        {
          resources: [
            'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b:autoScalingGroupName/ASGTerminate',
            'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
          ],
        },
        true,
      ),
      c(
        'no element in common (AWS-OBSERVED arrays_NEG)',
        { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f'] },
        { resources: ['arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:x'] },
        false,
      ),
      c(
        'an empty array has no value, not even null (AWS-OBSERVED arrays_empty_null_NEG)',
        { resources: [null] },
        { resources: [] },
        false,
      ),
      c('numeric matches any element', { n: [{ numeric: ['>', 10] }] }, { n: [1, 2, 30] }, true),
      c('numeric matches no element', { n: [{ numeric: ['>', 100] }] }, { n: [1, 2, 30] }, false),
      c('prefix matches any element', { tags: [{ prefix: 'env:' }] }, { tags: ['team:a', 'env:prod'] }, true),
      c(
        'a nested pattern matches inside an array of objects (RULER employees)',
        { employees: { firstName: ['Anna'] } },
        {
          employees: [
            { firstName: 'John', lastName: 'Doe' },
            { firstName: 'Anna', lastName: 'Smith' },
            { firstName: 'Peter', lastName: 'Jones' },
          ],
        },
        true,
      ),
      c(
        'arrays of arrays of objects are crushed out too (RULER)',
        { employees: { firstName: ['Peter'] } },
        {
          employees: [
            [
              { firstName: 'John', lastName: 'Doe' },
              { firstName: 'Anna', lastName: 'Smith' },
            ],
            [{ firstName: 'Peter', lastName: 'Jones' }],
          ],
        },
        true,
      ),
      c(
        'fields of one pattern must match within the same element (RULER rulesForJSONEvent: Anna/Jones)',
        { employees: { firstName: ['Anna'], lastName: ['Jones'] } },
        {
          employees: [
            { firstName: 'John', lastName: 'Doe' },
            { firstName: 'Anna', lastName: 'Smith' },
            { firstName: 'Peter', lastName: 'Jones' },
          ],
        },
        false,
      ),
      c(
        '…and do match when one element has both (Anna/Smith)',
        { employees: { firstName: ['Anna'], lastName: ['Smith'] } },
        {
          employees: [
            { firstName: 'John', lastName: 'Doe' },
            { firstName: 'Anna', lastName: 'Smith' },
          ],
        },
        true,
      ),
      c(
        'same-element rule in nested arrays (one order line with sku b and quantity 2)',
        { orders: { lines: { sku: ['b'], quantity: [2] } } },
        {
          orders: [
            {
              lines: [
                { sku: 'a', quantity: 2 },
                { sku: 'b', quantity: 1 },
              ],
            },
          ],
        },
        false,
      ),
      c(
        'same-element rule in nested arrays (a match in the second line)',
        { orders: { lines: { sku: ['b'], quantity: [2] } } },
        {
          orders: [
            {
              lines: [
                { sku: 'a', quantity: 1 },
                { sku: 'b', quantity: 2 },
              ],
            },
          ],
        },
        true,
      ),
      c(
        'same-element rule at the outer level: lines of different orders do not combine',
        { orders: { id: ['o1'], lines: { sku: ['b'] } } },
        {
          orders: [
            { id: 'o1', lines: [{ sku: 'a' }] },
            { id: 'o2', lines: [{ sku: 'b' }] },
          ],
        },
        false,
      ),
      c(
        'elements of two different arrays are independent',
        { a: { x: [1] }, b: { y: [2] } },
        { a: [{ x: 1 }, { x: 3 }], b: [{ y: 4 }, { y: 2 }] },
        true,
      ),
      c(
        'a field outside the array combines with any element',
        { detail: { type: ['t'], items: { k: [2] } } },
        withDetail({ type: 't', items: [{ k: 1 }, { k: 2 }] }),
        true,
      ),
      c(
        'exists true on a field inside an array of objects (AWS-OBSERVED list_within_dict)',
        { detail: { automations: { id: [{ exists: true }] } } },
        withDetail({ automations: [{ key1: 'value1' }, { id: 'match-does-exist' }, { key2: 'value2' }] }),
        true,
      ),
      c(
        'exists false on a field no element has',
        { detail: { automations: { id: [{ exists: false }] } } },
        withDetail({ automations: [{ key1: 'value1' }, { key2: 'value2' }] }),
        true,
      ),
      c(
        'exists false looks at the element the other fields matched (event-ruler ACFinder): Anna has no middle name',
        { employees: { firstName: ['Anna'], middle: [{ exists: false }] } },
        { employees: [{ firstName: 'Anna' }, { firstName: 'Peter', middle: 'J' }] },
        true,
      ),
      c(
        '…and Anna with a middle name does not match',
        { employees: { firstName: ['Anna'], middle: [{ exists: false }] } },
        { employees: [{ firstName: 'Anna', middle: 'M' }, { firstName: 'Peter' }] },
        false,
      ),
      c(
        'fields are taken in name order: a field sorting before the others is absent only if no element has it',
        { employees: { aMiddle: [{ exists: false }], firstName: ['Anna'] } },
        { employees: [{ firstName: 'Anna' }, { firstName: 'Peter', aMiddle: 'J' }] },
        false,
      ),
      c(
        '$or branches each keep to one element',
        { employees: { $or: [{ firstName: ['Anna'], lastName: ['Jones'] }, { firstName: ['Peter'] }] } },
        {
          employees: [
            { firstName: 'Anna', lastName: 'Smith' },
            { firstName: 'Peter', lastName: 'Jones' },
          ],
        },
        true,
      ),
      c(
        '$or branches each keep to one element (no branch fits)',
        { employees: { $or: [{ firstName: ['Anna'], lastName: ['Jones'] }, { firstName: ['Zoe'] }] } },
        {
          employees: [
            { firstName: 'Anna', lastName: 'Smith' },
            { firstName: 'Peter', lastName: 'Jones' },
          ],
        },
        false,
      ),
    ],
  },
  {
    source: 'UG-FILTERING: prefix matching (and prefix ignoring case)',
    cases: [
      c('prefix of the time', { time: [{ prefix: '2017-12-22' }] }, ec2Event, true),
      c('another prefix', { time: [{ prefix: '2017-10-02' }] }, ec2Event, false),
      c('prefix is case-sensitive', { source: [{ prefix: 'AWS.' }] }, ec2Event, false),
      c('prefix never matches a number', { detail: { 'c-count': [{ prefix: '5' }] } }, ec2Event, false),
      c('the empty prefix matches any string', { region: [{ prefix: '' }] }, ec2Event, true),
      c('the empty prefix does not match null', { v: [{ prefix: '' }] }, { v: null }, false),
      c('prefix ignoring case', { source: [{ prefix: { 'equals-ignore-case': 'AWS.' } }] }, ec2Event, true),
      c(
        'prefix ignoring case, another prefix',
        { source: [{ prefix: { 'equals-ignore-case': 'EU.' } }] },
        ec2Event,
        false,
      ),
      c(
        'prefix ignoring case, the guide’s service example',
        { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
        withDetail({ service: 'eventbridge' }),
        true,
      ),
    ],
  },
  {
    source: 'UG-FILTERING: suffix matching (and suffix ignoring case)',
    cases: [
      c('suffix .png', { detail: { filename: [{ suffix: '.png' }] } }, ec2Event, true),
      c('suffix .jpg', { detail: { filename: [{ suffix: '.jpg' }] } }, ec2Event, false),
      c('suffix is case-sensitive', { detail: { filename: [{ suffix: '.PNG' }] } }, ec2Event, false),
      c(
        'suffix ignoring case',
        { detail: { filename: [{ suffix: { 'equals-ignore-case': '.PNG' } }] } },
        ec2Event,
        true,
      ),
      c(
        'suffix ignoring case, the guide’s service example',
        { detail: { service: [{ suffix: { 'equals-ignore-case': 'tBridge' } }] } },
        withDetail({ service: 'EVENTBRIDGE' }),
        true,
      ),
      c('suffix never matches a number', { n: [{ suffix: '5' }] }, { n: 5 }, false),
    ],
  },
  {
    source: 'UG-FILTERING: equals-ignore-case',
    cases: [
      c(
        'equals ignoring case',
        { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] },
        ec2Event,
        true,
      ),
      c(
        'equals ignoring case, another value',
        { source: [{ 'equals-ignore-case': 'AWS.EC' }] },
        ec2Event,
        false,
      ),
      c('equals-ignore-case never matches a number', { n: [{ 'equals-ignore-case': '5' }] }, { n: 5 }, false),
      c(
        'the empty string ignoring case (AWS-OBSERVED content_ignorecase_empty)',
        { detail: { value: [{ 'equals-ignore-case': '' }] } },
        withDetail({ value: '' }),
        true,
      ),
      c(
        'the empty string ignoring case, a non-empty value',
        { detail: { value: [{ 'equals-ignore-case': '' }] } },
        withDetail({ value: 'x' }),
        false,
      ),
    ],
  },
  {
    source: 'UG-FILTERING: wildcard matching',
    cases: [
      c('a wildcard in the middle', { detail: { location: [{ wildcard: 'us-*-1' }] } }, ec2Event, true),
      c('a leading wildcard', { detail: { filename: [{ wildcard: '*.png' }] } }, ec2Event, true),
      c('a leading wildcard, no match', { detail: { filename: [{ wildcard: '*.jpg' }] } }, ec2Event, false),
      c('the wildcard crosses slashes', { path: [{ wildcard: 'dir/*.png' }] }, { path: 'dir/a/b.png' }, true),
      c('two wildcards (contains)', { title: [{ wildcard: '*Title*' }] }, { title: 'A Title here' }, true),
      c('the wildcard matches nothing too', { region: [{ wildcard: 'us-west-1*' }] }, ec2Event, true),
      c('without a star it is an exact match', { region: [{ wildcard: 'us-west' }] }, ec2Event, false),
      c(
        'repeated segments after a wildcard (AWS-OBSERVED content_wildcard_repeating)',
        { FileName: [{ wildcard: '/Users/*/dir/dir/dir/dir/dir/doc.txt' }] },
        { FileName: '/Users/ls_user/dir/dir/dir/dir/dir/doc.txt' },
        true,
      ),
      c(
        'the text after the wildcard must end the value (AWS-OBSERVED content_wildcard_nonrepeating_NEG)',
        { FileName: [{ wildcard: '/Users/*/doc.txt' }] },
        { FileName: '/Users/ls_user/dir/dir/dir/dir/dir/notmatchingdoc.txt' },
        false,
      ),
      c('an escaped star is a literal star', { v: [{ wildcard: 'a\\*b' }] }, { v: 'a*b' }, true),
      c('an escaped star matches only a star', { v: [{ wildcard: 'a\\*b' }] }, { v: 'axb' }, false),
      c('an escaped backslash is a literal backslash', { v: [{ wildcard: 'a\\\\b' }] }, { v: 'a\\b' }, true),
      c('a lone star matches the empty string', { v: [{ wildcard: '*' }] }, { v: '' }, true),
      c('regular-expression characters are literal', { v: [{ wildcard: 'a.c*' }] }, { v: 'abc' }, false),
      c('wildcard never matches a number', { n: [{ wildcard: '*' }] }, { n: 5 }, false),
      c('characters outside the BMP', { v: [{ wildcard: '🙂*🙃' }] }, { v: '🙂 and 🙃' }, true),
    ],
  },
  {
    source: 'UG-FILTERING: anything-but matching (values, lists, numbers)',
    cases: [
      c(
        'anything but another string',
        { detail: { state: [{ 'anything-but': 'initializing' }] } },
        ec2Event,
        true,
      ),
      c(
        'anything but this string',
        { detail: { state: [{ 'anything-but': 'terminated' }] } },
        ec2Event,
        false,
      ),
      c(
        'anything but a list that holds the value',
        { detail: { state: [{ 'anything-but': ['stopped', 'terminated'] }] } },
        ec2Event,
        false,
      ),
      c(
        'anything but a list that does not',
        { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
        ec2Event,
        true,
      ),
      c(
        'anything but another number (AWS-OBSERVED content_anything_but_number)',
        { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
        withDetail({ 'x-limit': 789 }),
        true,
      ),
      c(
        'anything but this number',
        { detail: { 'x-limit': [{ 'anything-but': 789 }] } },
        withDetail({ 'x-limit': 789 }),
        false,
      ),
      c(
        'anything but zero (AWS-OBSERVED content_anything_but_number_zero)',
        { detail: { 'x-limit': [{ 'anything-but': 0 }] } },
        withDetail({ 'x-limit': 789 }),
        true,
      ),
      c(
        'anything but a list of numbers',
        { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
        ec2Event,
        true,
      ),
      c(
        'anything but a list of numbers that holds the value',
        { n: [{ 'anything-but': [100, 200, 300] }] },
        { n: 200 },
        false,
      ),
      c(
        'numbers are compared as numbers (200.0 is 200)',
        { n: [{ 'anything-but': [100, 200] }] },
        { n: 200.0 },
        false,
      ),
      c(
        'anything but a string matches null (AWS-OBSERVED content_anything_but_string_null)',
        { detail: { state: [{ 'anything-but': 'initializing' }] } },
        withDetail({ state: null }),
        true,
      ),
      c(
        'anything but a list matches null (AWS-OBSERVED rule-anything-but)',
        { command: [{ 'anything-but': ['no-message'] }] },
        { command: null },
        true,
      ),
      c('anything but a string matches a number', { v: [{ 'anything-but': '5' }] }, { v: 5 }, true),
      c('anything but a number matches a string', { v: [{ 'anything-but': 5 }] }, { v: '5' }, true),
      c('anything but a string matches a boolean', { v: [{ 'anything-but': 'true' }] }, { v: true }, true),
      c(
        'anything-but never matches a missing field (AWS-OBSERVED content_anything_but_string_missing_NEG)',
        { detail: { state: [{ 'anything-but': 'initializing' }] } },
        withDetail({}),
        false,
      ),
      c(
        'an array matches if one element is not excluded (SNS/event-ruler: [100, 50])',
        { price: [{ 'anything-but': [100, 500] }] },
        { price: [100, 50] },
        true,
      ),
      c(
        'an array whose elements are all excluded',
        { v: [{ 'anything-but': ['a', 'b'] }] },
        { v: ['a', 'b'] },
        false,
      ),
      c('an empty array has nothing to match', { v: [{ 'anything-but': 'a' }] }, { v: [] }, false),
    ],
  },
  {
    source: 'UG-FILTERING: anything-but with prefix, suffix, equals-ignore-case and wildcard',
    cases: [
      c(
        'anything but a prefix, the value has it',
        { detail: { state: [{ 'anything-but': { prefix: 'term' } }] } },
        ec2Event,
        false,
      ),
      c(
        'anything but a prefix, the value lacks it',
        { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
        ec2Event,
        true,
      ),
      c(
        'anything but a prefix matches null (AWS-OBSERVED content_anything_prefix_null)',
        { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
        withDetail({ state: null }),
        true,
      ),
      c(
        'anything but a prefix matches a number (AWS-OBSERVED content_anything_prefix_int_value)',
        { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
        withDetail({ state: 12 }),
        true,
      ),
      c(
        'anything but a prefix never matches a missing field (AWS-OBSERVED content_anything_prefix_missing_NEG)',
        { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
        withDetail({}),
        false,
      ),
      c(
        'anything but a list of prefixes, one applies',
        { state: [{ 'anything-but': { prefix: ['init', 'stop'] } }] },
        { state: 'stopped' },
        false,
      ),
      c(
        'anything but a list of prefixes, none applies',
        { state: [{ 'anything-but': { prefix: ['init', 'stop'] } }] },
        { state: 'running' },
        true,
      ),
      c(
        'anything but a suffix, the value has it',
        { detail: { filename: [{ 'anything-but': { suffix: '.png' } }] } },
        ec2Event,
        false,
      ),
      c(
        'anything but a suffix, the value lacks it',
        { detail: { filename: [{ 'anything-but': { suffix: '.txt' } }] } },
        ec2Event,
        true,
      ),
      c(
        'anything but a list of suffixes',
        { f: [{ 'anything-but': { suffix: ['.txt', '.rtf'] } }] },
        { f: 'a.rtf' },
        false,
      ),
      c(
        'anything but a suffix matches null',
        { f: [{ 'anything-but': { suffix: '.txt' } }] },
        { f: null },
        true,
      ),
      c(
        'anything but a value ignoring case, the value in another case',
        { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'TERMINATED' } }] } },
        ec2Event,
        false,
      ),
      c(
        'anything but a value ignoring case, another value',
        { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'running' } }] } },
        ec2Event,
        true,
      ),
      c(
        'anything but a list ignoring case',
        { state: [{ 'anything-but': { 'equals-ignore-case': ['initializing', 'stopped'] } }] },
        { state: 'Stopped' },
        false,
      ),
      c(
        'anything but a value ignoring case matches null (AWS-OBSERVED content_anything_but_ignorecase_null)',
        { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] } },
        withDetail({ state: null }),
        true,
      ),
      c(
        'anything but a wildcard, the value fits it',
        { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] },
        { FilePath: '/usr/lib/tool' },
        false,
      ),
      c(
        'anything but a wildcard, the value does not fit',
        { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] },
        { FilePath: '/usr/bin/tool' },
        true,
      ),
      c(
        'anything but a list of wildcards',
        { FilePath: [{ 'anything-but': { wildcard: ['*/lib/*', '*/bin/*'] } }] },
        { FilePath: '/usr/bin/tool' },
        false,
      ),
      c(
        'anything but a wildcard matches a number (AWS-OBSERVED content_anything_wildcard_int)',
        { detail: { FilePath: [{ 'anything-but': { wildcard: '*/dir/*' } }] } },
        withDetail({ FilePath: 123 }),
        true,
      ),
      c(
        'anything but the empty wildcard matches a non-empty string (AWS-OBSERVED content_anything_wildcard_empty)',
        { detail: { FilePath: [{ 'anything-but': { wildcard: '' } }] } },
        withDetail({ FilePath: 'dir/init/file' }),
        true,
      ),
      c(
        'anything but the empty wildcard, the empty string',
        { f: [{ 'anything-but': { wildcard: '' } }] },
        { f: '' },
        false,
      ),
    ],
  },
  {
    source: 'UG-FILTERING: numeric matching',
    cases: [
      c(
        'the guide’s three numeric fields',
        {
          detail: {
            'c-count': [{ numeric: ['>', 0, '<=', 5] }],
            'd-count': [{ numeric: ['<', 10] }],
            'x-limit': [{ numeric: ['=', 3.018e2] }],
          },
        },
        ec2Event,
        true,
      ),
      c('> is strict', { n: [{ numeric: ['>', 5] }] }, { n: 5 }, false),
      c('>= includes the bound', { n: [{ numeric: ['>=', 5] }] }, { n: 5 }, true),
      c('< is strict', { n: [{ numeric: ['<', 5] }] }, { n: 5 }, false),
      c('<= includes the bound', { n: [{ numeric: ['<=', 5] }] }, { n: 5 }, true),
      c('a closed range, above it', { n: [{ numeric: ['>=', 1, '<=', 5] }] }, { n: 5.5 }, false),
      c('an open range, inside', { n: [{ numeric: ['>', 1, '<', 5] }] }, { n: 4.999 }, true),
      c('negative numbers', { n: [{ numeric: ['>', -10, '<', 0] }] }, { n: -5 }, true),
      c(
        'an integer written as a float (AWS-OBSERVED numeric-int-float)',
        { number: [{ numeric: ['>', 100] }] },
        { number: 101.0 },
        true,
      ),
      c(
        'a quoted number is not a number (AWS-OBSERVED numeric-string_NEG)',
        { number: [{ numeric: ['>', 100] }] },
        { number: '300' },
        false,
      ),
      c(
        'null is not a number (AWS-OBSERVED numeric-null_NEG)',
        { number: [{ numeric: ['>', 100] }] },
        { number: null },
        false,
      ),
      c('a boolean is not a number', { n: [{ numeric: ['>', 0] }] }, { n: true }, false),
      c('six decimal places are significant', { n: [{ numeric: ['=', 0.1] }] }, { n: 0.100001 }, false),
      c(
        'the seventh decimal place is not (EventBridge precision)',
        { n: [{ numeric: ['=', 0.1] }] },
        { n: 0.1000001 },
        true,
      ),
      c('the upper end of the range', { n: [{ numeric: ['=', 5e9] }] }, { n: 5e9 }, true),
      c(
        'an event number outside the range never matches a range',
        { n: [{ numeric: ['>', 0] }] },
        { n: 6e9 },
        false,
      ),
      c(
        'two numeric rules in one list are OR',
        { n: [{ numeric: ['<', 0] }, { numeric: ['>', 10] }] },
        { n: 11 },
        true,
      ),
    ],
  },
  {
    source: 'UG-FILTERING: exists matching (leaf nodes only)',
    cases: [
      c('exists true on a present field', { detail: { state: [{ exists: true }] } }, ec2Event, true),
      c('exists true on a missing field', { detail: { missing: [{ exists: true }] } }, ec2Event, false),
      c(
        'exists false on a missing field',
        { detail: { 'c-count': [{ exists: false }] } },
        withDetail({ state: 'running' }),
        true,
      ),
      c('exists false on a present field', { detail: { state: [{ exists: false }] } }, ec2Event, false),
      c(
        'exists true on an object is false: not a leaf (AWS-OBSERVED exists_dynamodb_NEG)',
        { dynamodb: { presentKey: [{ exists: true }] } },
        { dynamodb: { id: { S: 'test1234' }, presentKey: { S: 'test123' } } },
        false,
      ),
      c(
        'exists false on an object is true: c-count is not a leaf (the guide’s example)',
        { detail: { 'c-count': [{ exists: false }] } },
        withDetail({ state: 'running', 'c-count': { c1: 100 } }),
        true,
      ),
      c(
        'exists false under a missing parent (AWS-OBSERVED or-exists-parent)',
        { dynamodb: { NewImage: { homemade: { S: [{ 'anything-but': ['roses'] }, { exists: false }] } } } },
        { dynamodb: { NewImage: { purchased: { N: '789' } } } },
        true,
      ),
      c(
        'exists false on a missing child of a present object (AWS-OBSERVED or-exists)',
        { dynamodb: { NewImage: { homemade: { S: [{ 'anything-but': ['roses'] }, { exists: false }] } } } },
        { dynamodb: { NewImage: { homemade: { N: '789' } } } },
        true,
      ),
      c('exists true under a missing parent', { detail: { a: { b: [{ exists: true }] } } }, ec2Event, false),
      c(
        'exists false under a scalar parent',
        { detail: { state: { x: [{ exists: false }] } } },
        ec2Event,
        true,
      ),
      c('exists true on null: null is a value', { v: [{ exists: true }] }, { v: null }, true),
      c('exists true on the empty string', { v: [{ exists: true }] }, { v: '' }, true),
      c('exists true on an array of values', { v: [{ exists: true }] }, { v: ['a'] }, true),
      c(
        'exists true on an empty array is false (AWS-OBSERVED exists_list_empty_NEG)',
        { resources: [{ exists: true }] },
        { ...ec2Event, resources: [] },
        false,
      ),
      c(
        'exists false on an empty array is true',
        { resources: [{ exists: false }] },
        { ...ec2Event, resources: [] },
        true,
      ),
      c('exists false on an empty object is true', { v: [{ exists: false }] }, { v: {} }, true),
      c(
        'exists alongside other rules in one list (AWS-OBSERVED operator_multiple_list)',
        { my_key: [{ exists: true }, { prefix: 'IGNORED' }, { suffix: 'IGNORED' }] },
        { my_key: 'my-value' },
        true,
      ),
    ],
  },
  {
    source: 'UG-FILTERING: IP address matching (cidr, IPv4 and IPv6)',
    cases: [
      c('inside a /24', { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, ec2Event, true),
      c('outside a /24', { detail: { 'source-ip': [{ cidr: '10.0.1.0/24' }] } }, ec2Event, false),
      c('a /31 holds two addresses', { ip: [{ cidr: '10.0.0.0/31' }] }, { ip: '10.0.0.1' }, true),
      c('a /31 holds only two', { ip: [{ cidr: '10.0.0.0/31' }] }, { ip: '10.0.0.2' }, false),
      c('a /0 holds every IPv4 address', { ip: [{ cidr: '0.0.0.0/0' }] }, { ip: '203.0.113.9' }, true),
      c(
        'the range starts at the address as written, not the network (event-ruler CIDR.cidr)',
        { ip: [{ cidr: '10.0.0.5/24' }] },
        { ip: '10.0.0.3' },
        false,
      ),
      c('…and runs to the top of the block', { ip: [{ cidr: '10.0.0.5/24' }] }, { ip: '10.0.0.255' }, true),
      c('a string that is not an address', { ip: [{ cidr: '10.0.0.0/24' }] }, { ip: 'ten' }, false),
      c(
        'a number is not an address (AWS-OBSERVED content_ip_address_bad_type_NEG)',
        { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } },
        withDetail({ sourceIPAddress: 123 }),
        false,
      ),
      c(
        'IPv6 in a /64, written in full (AWS-OBSERVED content_ip_address_v6)',
        { detail: { sourceIPAddress: [{ cidr: '2001:db8:1234:1a00::/64' }] } },
        withDetail({ sourceIPAddress: '2001:0db8:1234:1a00:0000:0000:0000:0000' }),
        true,
      ),
      c(
        'IPv6 in a /64, compressed',
        { ip: [{ cidr: '2001:db8:1234:1a00::/64' }] },
        { ip: '2001:db8:1234:1a00::dead:beef' },
        true,
      ),
      c(
        'IPv6 outside a /64',
        { ip: [{ cidr: '2001:db8:1234:1a00::/64' }] },
        { ip: '2001:db8:1234:1a01::1' },
        false,
      ),
      c('IPv6 in upper case', { ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:DB8::1' }, true),
      c('an IPv4 address is not in an IPv6 block', { ip: [{ cidr: '::/0' }] }, { ip: '10.0.0.1' }, false),
      c('an IPv6 address is not in an IPv4 block', { ip: [{ cidr: '0.0.0.0/0' }] }, { ip: '::1' }, false),
      c(
        'cidr matches any element of an array',
        { ip: [{ cidr: '192.168.0.0/16' }] },
        { ip: ['10.0.0.1', '192.168.4.4'] },
        true,
      ),
    ],
  },
  {
    source: 'UG-FILTERING and RULER: $or',
    cases: [
      c(
        'the guide’s $or over three numeric fields (AWS-OBSERVED complex_or)',
        {
          detail: {
            $or: [
              { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
              { 'd-count': [{ numeric: ['<', 10] }] },
              { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
            ],
          },
        },
        withDetail({ 'c-count': 0, 'd-count': 0, 'x-limit': 9.018e2 }),
        true,
      ),
      c(
        'no branch matches',
        {
          detail: { $or: [{ 'c-count': [{ numeric: ['>', 10] }] }, { 'd-count': [{ numeric: ['>', 10] }] }] },
        },
        ec2Event,
        false,
      ),
      c(
        '$or next to a field is AND (RULER: source && (metricName || namespace))',
        { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }] },
        { source: 'aws.cloudwatch', namespace: 'AWS/EC2' },
        true,
      ),
      c(
        '$or next to a field is AND (the field fails)',
        { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }] },
        { source: 'aws.ec2', namespace: 'AWS/EC2' },
        false,
      ),
      c(
        'parallel $or at two levels (RULER)',
        {
          $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }],
          detail: {
            $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['CloudWatch Alarm State Change'] }],
          },
        },
        { namespace: 'AWS/EC2', detail: { 'detail-type': 'CloudWatch Alarm State Change' } },
        true,
      ),
      c(
        'parallel $or at two levels (the inner one fails)',
        {
          $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }],
          detail: {
            $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['CloudWatch Alarm State Change'] }],
          },
        },
        { namespace: 'AWS/EC2', detail: { 'detail-type': 'other' } },
        false,
      ),
      c(
        'a branch with AND inside (RULER: metricType && namespace)',
        {
          source: ['aws.cloudwatch'],
          $or: [
            { metricName: ['CPUUtilization'] },
            { metricType: ['MetricType'], namespace: ['AWS/EC2'] },
            { scope: ['Service'] },
          ],
        },
        { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/ES' },
        false,
      ),
      c(
        'nested $or inside a branch (RULER)',
        {
          source: ['aws.cloudwatch'],
          $or: [
            { metricName: ['CPUUtilization'] },
            { metricType: ['MetricType'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] },
          ],
        },
        { source: 'aws.cloudwatch', metricType: 'MetricType', spaceId: 1000 },
        true,
      ),
      c(
        'a top-level $or over source is not a match-all (neither branch)',
        { $or: [{ source: ['aws.ec2'] }, { source: ['aws.s3'] }] },
        { source: 'my.app' },
        false,
      ),
      c(
        'a top-level $or over source (second branch)',
        { $or: [{ source: ['aws.ec2'] }, { source: ['aws.s3'] }] },
        { source: 'aws.s3' },
        true,
      ),
      c(
        'a branch of exists false',
        { detail: { $or: [{ state: ['running'] }, { reason: [{ exists: false }] }] } },
        ec2Event,
        true,
      ),
    ],
  },
  {
    source: 'RULER "JSON keys with dots" and UG-PATTERNS considerations: dotted keys are flattened',
    cases: [
      c(
        'a dotted pattern key matches nested event fields (AWS-OBSERVED dot_joining_pattern)',
        { detail: { 'state.status': ['running'] } },
        withDetail({ state: { status: 'running' } }),
        true,
      ),
      c(
        'a nested pattern matches a dotted event key',
        { detail: { state: { status: ['running'] } } },
        withDetail({ 'state.status': 'running' }),
        true,
      ),
      c(
        'a dotted event key names a different path (AWS-OBSERVED dot_joining_event_NEG)',
        { detail: { state: { status: ['running'] } } },
        withDetail({ 'state.status': { status: 'running' } }),
        false,
      ),
      c(
        'a detail that is a JSON string is not parsed (AWS-OBSERVED nested_json_NEG)',
        { detail: { 'my-key': ['my-value'] } },
        withDetail('{"my-key": "my-value"}'),
        false,
      ),
    ],
  },
  {
    source: 'UG-FILTERING: complex example with multiple matching, and this stack’s own rules',
    cases: [
      c(
        'the guide’s complex example',
        {
          time: [{ prefix: '2017-12-22' }],
          detail: {
            state: [{ 'anything-but': 'initializing' }],
            'c-count': [{ numeric: ['>', 0, '<=', 5] }],
            'd-count': [{ numeric: ['<', 10] }],
            'x-limit': [{ 'anything-but': [100, 200, 300] }],
            'source-ip': [{ cidr: '10.0.0.0/8' }],
          },
        },
        ec2Event,
        true,
      ),
      c(
        'a saga rule: source and detail-type',
        { source: ['booking-service'], 'detail-type': ['BookingCreated'] },
        { source: 'booking-service', 'detail-type': 'BookingCreated', detail: {} },
        true,
      ),
      c(
        'a saga rule: another detail-type',
        { source: ['booking-service'], 'detail-type': ['BookingCreated'] },
        { source: 'booking-service', 'detail-type': 'BookingCancelled', detail: {} },
        false,
      ),
      c(
        'a saga rule: another source',
        { source: ['booking-service'], 'detail-type': ['BookingCreated'] },
        { source: 'payment-service', 'detail-type': 'BookingCreated', detail: {} },
        false,
      ),
    ],
  },
  {
    source: 'AWS-OBSERVED: further TestEventPattern results from the AWS-validated templates',
    cases: [
      c(
        'exists true on a leaf under an object (exists_dynamodb)',
        { dynamodb: { presentKey: { S: [{ exists: true }] } } },
        { dynamodb: { id: { S: 'test1234' }, presentKey: { S: 'test123' } } },
        true,
      ),
      c(
        'exists false on a present deep leaf (content_exists_false_NEG)',
        { detail: { level1: { level2: { level3: { level4: [{ exists: false }] } } } } },
        withDetail({ level1: { level2: { level3: { level4: 'l4 value' } } } }),
        false,
      ),
      c(
        'anything-but or exists false, the value is not excluded (or-anything-but)',
        { dynamodb: { NewImage: { homemade: { S: [{ 'anything-but': ['roses'] }, { exists: false }] } } } },
        { dynamodb: { NewImage: { homemade: { S: 'ABCD', N: '1234' } } } },
        true,
      ),
      c(
        'numeric or anything-but on a quoted number (or-numeric-anything-but_NEG)',
        {
          dynamodb: {
            NewImage: { numericFilter: { N: [{ numeric: ['>', 100] }, { 'anything-but': '101' }] } },
          },
        },
        { dynamodb: { NewImage: { id: { S: 'id_value_1' }, numericFilter: { N: '101' } } } },
        false,
      ),
      c(
        'the complex example with x-limit 300 excluded (complex_multi_match_NEG)',
        {
          time: [{ prefix: '2022-07-13' }],
          detail: {
            state: [{ 'anything-but': 'initializing' }],
            'c-count': [{ numeric: ['>', 0, '<=', 5] }],
            'd-count': [{ numeric: ['<', 10] }],
            'x-limit': [{ 'anything-but': [100, 200, 300] }],
          },
        },
        {
          time: '2022-07-13T13:48:01Z',
          detail: { state: 'processing', 'c-count': 3, 'd-count': 9, 'x-limit': 300 },
        },
        false,
      ),
      c(
        'numeric AND over three fields, one out of range (content_numeric_and_NEG)',
        {
          detail: {
            'c-count': [{ numeric: ['>', 0, '<=', 5] }],
            'd-count': [{ numeric: ['<', 10] }],
            'x-limit': [{ numeric: ['=', 3.018e2] }],
          },
        },
        withDetail({ 'c-count': 3, 'd-count': 10, 'x-limit': 3.018e2 }),
        false,
      ),
      c(
        'a wildcard over an ARN (content_wildcard_simplified)',
        { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] },
        { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/myEventBus' },
        true,
      ),
      c('true does not match false (boolean_NEG)', { boolean: [false] }, { boolean: true }, false),
      c(
        'IPv6 outside the block (content_ip_address_v6_NEG)',
        { detail: { sourceIPAddress: [{ cidr: '2001:db8:1234:1a00::/64' }] } },
        withDetail({ sourceIPAddress: '2001:0db8:123f:1a01:0000:0000:0000:0000' }),
        false,
      ),
      c(
        'anything but a list of suffixes, none applies (content_anything_suffix_list)',
        { detail: { FileName: [{ 'anything-but': { suffix: ['.txt', '.jpg'] } }] } },
        withDetail({ FileName: 'file.txt.bak' }),
        true,
      ),
      c(
        'many rules at once (complex_many_rules)',
        {
          source: [{ exists: true }],
          'detail-type': [{ prefix: 'core.app' }],
          detail: {
            description: ['this-is-event-details'],
            amount: [200],
            salary: [2000, 4000],
            env: ['dev', 'prod'],
            user: ['user1', 'user2', 'user3'],
            admins: ['skyli', { prefix: 'hey' }, { prefix: 'ad' }],
            test1: [{ 'anything-but': 200 }],
            test2: [{ 'anything-but': 'test2' }],
            test3: [{ 'anything-but': ['test3', 'test33'] }],
            test4: [{ 'anything-but': { prefix: 'test4' } }],
            ip: [{ cidr: '10.102.1.0/24' }],
            'num-test1': [{ numeric: ['<', 200] }],
            'num-test2': [{ numeric: ['<=', 200] }],
            'num-test3': [{ numeric: ['>', 200] }],
            'num-test4': [{ numeric: ['>=', 200] }],
            'num-test5': [{ numeric: ['>=', 200, '<=', 500] }],
            'num-test6': [{ numeric: ['>', 200, '<', 500] }],
            'num-test7': [{ numeric: ['>=', 200, '<', 500] }],
          },
        },
        {
          source: 'core.update-account-command',
          'detail-type': 'core.app.backend',
          detail: {
            description: 'this-is-event-details',
            amount: 200,
            salary: 2000,
            env: 'prod',
            user: 'user3',
            admins: 'admin',
            test1: 300,
            test2: 'test22',
            test3: 'test333',
            test4: 'this test4',
            ip: '10.102.1.100',
            'num-test1': 100,
            'num-test2': 200,
            'num-test3': 300,
            'num-test4': 200,
            'num-test5': 500,
            'num-test6': 300,
            'num-test7': 300,
          },
        },
        true,
      ),
    ],
  },
];
