import { describe, expect, it } from 'vitest';

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
