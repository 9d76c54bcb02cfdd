import { describe, expect, it } from 'vitest';
import {
  LocalEventBridge,
  PUT_EVENTS_ENTRY_MAX_BYTES,
  putEventsEntrySize,
  testEventPattern,
} from '../../../local/eventbridge.ts';

const bus = () =>
  new LocalEventBridge(
    new Set(['default', 'inventory']),
    [
      {
        logicalId: 'R',
        name: 'booking-created',
        bus: 'inventory',
        pattern: { source: ['booking-service'], 'detail-type': ['BookingCreated'] },
        enabled: true,
        targets: [{ id: 'Target0', kind: 'sqs', name: 'q', arn: 'arn:aws:sqs:us-east-1:000000000000:q' }],
      },
    ],
    { toQueue: async () => undefined, toFunction: async () => undefined },
  );

const entry = (detail: string) => ({
  EventBusName: 'inventory',
  Source: 's',
  DetailType: 'd',
  Detail: detail,
});

describe('PutEvents entry size (issue 10)', () => {
  it('refuses, per entry, an entry over 256 KB and accepts the others of the same call', async () => {
    const padding = (bytes: number) => JSON.stringify({ p: 'x'.repeat(bytes - 8) });
    const atLimit = padding(PUT_EVENTS_ENTRY_MAX_BYTES - 2); // plus Source and DetailType: exactly the limit
    expect(putEventsEntrySize(entry(atLimit))).toBe(PUT_EVENTS_ENTRY_MAX_BYTES);
    const result = await bus().putEvents({
      Entries: [entry(atLimit), entry(padding(PUT_EVENTS_ENTRY_MAX_BYTES))],
    });
    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries[0]).toHaveProperty('EventId');
    expect(result.Entries[1]).toMatchObject({ ErrorCode: 'ValidationException' });
  });

  it('counts UTF-8 bytes, Resources and 14 bytes for a Time', () => {
    expect(
      putEventsEntrySize({ Source: 'é', DetailType: 'd', Detail: '{}', Resources: ['ab'], Time: 1 }),
    ).toBe(2 + 1 + 2 + 2 + 14);
  });
});

describe('the EventBridge management operations', () => {
  it('lists buses, rules, a rule and its targets from the template', async () => {
    const b = bus();
    expect(await b.handle('ListEventBuses', {})).toEqual({
      EventBuses: [
        { Name: 'default', Arn: 'arn:aws:events:us-east-1:000000000000:event-bus/default' },
        { Name: 'inventory', Arn: 'arn:aws:events:us-east-1:000000000000:event-bus/inventory' },
      ],
    });
    const rule = {
      Name: 'booking-created',
      Arn: 'arn:aws:events:us-east-1:000000000000:rule/inventory/booking-created',
      EventPattern: '{"source":["booking-service"],"detail-type":["BookingCreated"]}',
      State: 'ENABLED',
      EventBusName: 'inventory',
      CreatedBy: '000000000000',
    };
    expect(await b.handle('ListRules', { EventBusName: 'inventory' })).toEqual({ Rules: [rule] });
    expect(await b.handle('ListRules', {})).toEqual({ Rules: [] });
    expect(await b.handle('DescribeRule', { Name: 'booking-created', EventBusName: 'inventory' })).toEqual(
      rule,
    );
    expect(
      await b.handle('ListTargetsByRule', { Rule: 'booking-created', EventBusName: 'inventory' }),
    ).toEqual({
      Targets: [{ Id: 'Target0', Arn: 'arn:aws:sqs:us-east-1:000000000000:q' }],
    });
    await expect(b.handle('DescribeRule', { Name: 'nope', EventBusName: 'inventory' })).rejects.toMatchObject(
      {
        code: 'ResourceNotFoundException',
      },
    );
    await expect(b.handle('ListRules', { EventBusName: 'nope' })).rejects.toMatchObject({
      code: 'ResourceNotFoundException',
    });
  });

  it('refuses any other operation with UnknownOperationException naming it', async () => {
    await expect(bus().handle('PutRule', {})).rejects.toMatchObject({
      code: 'UnknownOperationException',
      message: expect.stringContaining('PutRule'),
    });
  });
});

describe('TestEventPattern', () => {
  const event = JSON.stringify({
    id: '1',
    account: '000000000000',
    source: 'booking-service',
    time: '2026-11-25T00:00:00Z',
    region: 'us-east-1',
    resources: [],
    'detail-type': 'BookingCreated',
    detail: { amount: 5 },
  });

  it('matches with the pattern engine', () => {
    expect(testEventPattern('{"detail":{"amount":[{"numeric":[">",3]}]}}', event)).toBe(true);
    expect(testEventPattern('{"detail":{"amount":[{"numeric":[">",7]}]}}', event)).toBe(false);
  });

  it('refuses an invalid pattern with InvalidEventPatternException and the reason, instead of matching', () => {
    expect(() => testEventPattern('{"detail":{"amount":[{"numeric":10}]}}', event)).toThrow(
      expect.objectContaining({
        code: 'InvalidEventPatternException',
        message: expect.stringContaining('numeric'),
      }),
    );
    expect(() => testEventPattern('not json', event)).toThrow(
      expect.objectContaining({ code: 'InvalidEventPatternException' }),
    );
  });

  it('refuses an event without the envelope fields EventBridge requires', () => {
    expect(() => testEventPattern('{"source":["a"]}', '{"source":"a"}')).toThrow(
      expect.objectContaining({
        code: 'ValidationException',
        message: expect.stringContaining('detail-type'),
      }),
    );
  });
});

describe('fault injection (local tooling)', () => {
  it('refuses, per entry, the entries matching the fault until it is lifted, and records them', async () => {
    const b = bus();
    const delivered: string[] = [];
    b.onEvent((e) => delivered.push(e['detail-type']));
    const fault = b.injectFault({ 'detail-type': ['refused'] });
    const detail = JSON.stringify({ metadata: { eventId: 'e-1' } });
    const first = await b.putEvents({
      Entries: [{ ...entry(detail), DetailType: 'refused' }, entry(detail)],
    });
    expect(first.FailedEntryCount).toBe(1);
    expect(first.Entries[0]).toMatchObject({ ErrorCode: 'InternalFailure' });
    expect(first.Entries[1]).toHaveProperty('EventId');
    expect(fault.refused).toEqual([{ eventId: 'e-1', detailType: 'refused', at: expect.any(Number) }]);
    expect(delivered).toEqual(['d']);

    expect(b.liftFaults()).toEqual([fault]);
    const after = await b.putEvents({ Entries: [{ ...entry(detail), DetailType: 'refused' }] });
    expect(after.FailedEntryCount).toBe(0);
    expect(delivered).toEqual(['d', 'refused']);
  });

  it('refuses a pattern EventBridge would refuse', () => {
    expect(() => bus().injectFault({ 'detail-type': 'not-an-array' })).toThrow(/must be an array|array/i);
  });
});
