import { describe, expect, it } from 'vitest';
import { type BatchSource, startEventSourceMapping } from '../../../local/event-source-mappings.ts';

/** A source holding records in memory: what settles where, independent of SQS. */
function memorySource(records: string[]) {
  const pending = [...records];
  const succeeded: string[] = [];
  const failed: string[] = [];
  const source: BatchSource<string> = {
    name: 'memory',
    async receive(max) {
      if (pending.length === 0) await new Promise((r) => setTimeout(r, 5));
      return pending.splice(0, max);
    },
    toEvent: (batch) => ({ Records: batch.map((id) => ({ id })) }),
    idOf: (r) => r,
    succeeded: async (batch) => void succeeded.push(...batch),
    failed: async (batch) => void failed.push(...batch),
  };
  return { source, succeeded, failed };
}

const until = async (probe: () => boolean) => {
  for (let i = 0; i < 200 && !probe(); i++) await new Promise((r) => setTimeout(r, 5));
};

describe('event source mappings (the generic poller)', () => {
  it('delivers batches of the mapping’s size and fails only the reported items', async () => {
    const { source, succeeded, failed } = memorySource(['a', 'b', 'c', 'd', 'e']);
    const batches: string[][] = [];
    const mapping = startEventSourceMapping(source, {
      batchSize: 2,
      maxConcurrency: 1,
      reportBatchItemFailures: true,
      invoke: async (event) => {
        const ids = (event as { Records: { id: string }[] }).Records.map((r) => r.id);
        batches.push(ids);
        return {
          batchItemFailures: ids.filter((id) => id === 'c').map((itemIdentifier) => ({ itemIdentifier })),
        };
      },
      log: () => undefined,
    });
    await until(() => succeeded.length + failed.length === 5);
    await mapping.stop();
    expect(batches).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(failed).toEqual(['c']);
    expect(succeeded.sort()).toEqual(['a', 'b', 'd', 'e']);
  });

  it('fails the whole batch when the function fails, or when it reports failures without ReportBatchItemFailures', async () => {
    const thrown = memorySource(['a', 'b']);
    const logged: string[] = [];
    const m1 = startEventSourceMapping(thrown.source, {
      batchSize: 10,
      maxConcurrency: 1,
      reportBatchItemFailures: true,
      invoke: async () => {
        throw new Error('boom');
      },
      log: (l) => logged.push(l),
    });
    await until(() => thrown.failed.length === 2);
    await m1.stop();
    expect(thrown.succeeded).toEqual([]);
    expect(logged[0]).toContain('boom');

    // Without ReportBatchItemFailures the response is ignored, as Lambda does: all succeed.
    const ignored = memorySource(['a']);
    const m2 = startEventSourceMapping(ignored.source, {
      batchSize: 10,
      maxConcurrency: 1,
      reportBatchItemFailures: false,
      invoke: async () => ({ batchItemFailures: [{ itemIdentifier: 'a' }] }),
      log: () => undefined,
    });
    await until(() => ignored.succeeded.length === 1);
    await m2.stop();
    expect(ignored.failed).toEqual([]);
  });

  it('runs at most maxConcurrency batches at once', async () => {
    const { source, succeeded } = memorySource(['a', 'b', 'c', 'd', 'e', 'f']);
    let active = 0;
    let peak = 0;
    const mapping = startEventSourceMapping(source, {
      batchSize: 1,
      maxConcurrency: 2,
      reportBatchItemFailures: false,
      invoke: async () => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 20));
        active--;
      },
      log: () => undefined,
    });
    await until(() => succeeded.length === 6);
    await mapping.stop();
    expect(peak).toBe(2);
  });
});
