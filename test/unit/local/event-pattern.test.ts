import { describe, expect, it } from 'vitest';
import { matchesPattern } from '../../../local/event-pattern.ts';

/** Examples from the EventBridge user guide, "Event patterns" and "Content filtering". */
const ec2Event = {
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

describe('EventBridge pattern matching (documentation examples)', () => {
  it.each([
    [
      'source and detail-type',
      { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'] },
      true,
    ],
    ['an array is OR', { detail: { state: ['running', 'terminated'] } }, true],
    ['a value not listed', { detail: { state: ['running', 'stopped'] } }, false],
    ['prefix', { region: [{ prefix: 'us-' }] }, true],
    ['prefix, not matching', { region: [{ prefix: 'eu-' }] }, false],
    ['prefix ignoring case', { source: [{ prefix: { 'equals-ignore-case': 'AWS.' } }] }, true],
    ['suffix', { detail: { filename: [{ suffix: '.png' }] } }, true],
    ['anything-but a value', { detail: { state: [{ 'anything-but': 'initializing' }] } }, true],
    ['anything-but a list', { detail: { state: [{ 'anything-but': ['stopped', 'terminated'] }] } }, false],
    ['anything-but a prefix', { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, true],
    ['numeric range', { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } }, true],
    [
      'numeric equality and upper bound',
      { detail: { 'd-count': [{ numeric: ['<', 10] }], 'x-limit': [{ numeric: ['=', 3.018e2] }] } },
      true,
    ],
    ['numeric out of range', { detail: { 'c-count': [{ numeric: ['>', 5] }] } }, false],
    ['exists true', { detail: { state: [{ exists: true }] } }, true],
    ['exists false on a missing field', { detail: { missing: [{ exists: false }] } }, true],
    ['exists false on a present field', { detail: { state: [{ exists: false }] } }, false],
    [
      'equals-ignore-case',
      { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] },
      true,
    ],
    ['wildcard', { detail: { location: [{ wildcard: 'us-*-1' }] } }, true],
    ['cidr', { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, true],
    ['cidr outside', { detail: { 'source-ip': [{ cidr: '10.0.1.0/24' }] } }, false],
    [
      '$or',
      { detail: { $or: [{ 'c-count': [{ numeric: ['>', 10] }] }, { 'd-count': [{ numeric: ['<', 5] }] }] } },
      true,
    ],
    [
      'an array field matches any element',
      { resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'] },
      true,
    ],
    ['a missing field with a value rule', { detail: { missing: ['x'] } }, false],
    ['a nested pattern against a scalar', { source: { nested: ['x'] } }, false],
  ])('%s', (_name, pattern, expected) => {
    expect(matchesPattern(pattern, ec2Event)).toBe(expected);
  });

  it('matches our own rules: source and detail-type of a saga event', () => {
    const pattern = { source: ['booking-service'], 'detail-type': ['BookingCreated'] };
    expect(
      matchesPattern(pattern, { source: 'booking-service', 'detail-type': 'BookingCreated', detail: {} }),
    ).toBe(true);
    expect(
      matchesPattern(pattern, { source: 'booking-service', 'detail-type': 'BookingCancelled', detail: {} }),
    ).toBe(false);
    expect(
      matchesPattern(pattern, { source: 'payment-service', 'detail-type': 'BookingCreated', detail: {} }),
    ).toBe(false);
  });
});

describe('the EventBridge emulator', () => {
  it('reads PutEvents times as epoch seconds (JSON protocol) and logs every event with its matches', async () => {
    const { LocalEventBridge } = await import('../../../local/eventbridge.ts');
    const delivered: string[] = [];
    const bus = new LocalEventBridge(
      new Set(['bus']),
      [
        {
          logicalId: 'R',
          name: 'rule',
          bus: 'bus',
          pattern: { source: ['a'] },
          enabled: true,
          targets: [{ id: 't', kind: 'sqs', name: 'q' }],
        },
      ],
      { toQueue: async (q) => void delivered.push(q), toFunction: async () => undefined },
    );
    const result = await bus.putEvents({
      Entries: [
        {
          EventBusName: 'bus',
          Source: 'a',
          DetailType: 'X',
          Detail: '{"data":{"bookingId":"b1"}}',
          Time: 1_795_554_000,
        },
        { EventBusName: 'bus', Source: 'b', DetailType: 'Y', Detail: '{}' },
        { EventBusName: 'nope', Source: 'a', DetailType: 'X', Detail: '{}' },
        { EventBusName: 'bus', Source: 'a', DetailType: 'X', Detail: 'not json' },
      ],
    });
    expect(result.FailedEntryCount).toBe(2);
    expect(delivered).toEqual(['q']);
    const [first, second] = bus.log;
    expect(first?.time).toBe('2026-11-24T21:00:00Z');
    expect(first?.matches).toEqual(['rule']);
    expect(second?.matches).toEqual([]);
    expect(bus.query({ bookingId: 'b1' })).toHaveLength(1);
  });
});
