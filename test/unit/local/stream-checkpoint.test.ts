import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  nextBatch,
  reportedFailure,
  type ShardCheckpoint,
  settleBatch,
} from '../../../local/stream-mappings.ts';
import { MODEL_SEED } from '../../support/model-seed.ts';

/**
 * The table-stream mapping's checkpoint and retry rules against what must hold however the
 * records were split across reads (which DynamoDB Local decides by timing): a random
 * arrival schedule, batch size, bisecting, retry limit, function behaviour and per-record
 * failures, each run checked against the rules below. The seed is printed; MODEL_SEED
 * replays one.
 */

const SEED = MODEL_SEED;
const RUNS = 20_000;
/** A record that fails every time it is processed. */
const POISON = Number.POSITIVE_INFINITY;

/**
 * How the function answers a batch: stops at the first failed record and reports it;
 * processes every record and reports each failure (Powertools' BatchProcessor); throws at
 * the first failure.
 */
type Mode = 'report-first' | 'report-all' | 'throw';

interface Scenario {
  batchSize: number;
  bisect: boolean;
  retries: number;
  mode: Mode;
  /** Per record: how many times it fails before it succeeds. */
  budgets: number[];
  /** At each read of the shard: how many of the records not yet read have arrived. */
  arrivals: number[];
}

interface Run {
  /** Record indexes, in the order the function processed them successfully. */
  delivered: number[];
  /** Per record: how many times the function failed on it. */
  failures: number[];
  givenUp: { records: number[]; invocations: number }[];
  /** Each invocation's records. */
  batches: number[][];
  /** After each invocation: the index of its batch the next one retries from (-1: settled). */
  retriedFrom: number[];
}

const seq = (i: number) => String(100 + i);
const recordOf = (i: number): StreamRecord => ({ dynamodb: { SequenceNumber: seq(i) } });
const indexOf = (r: StreamRecord) => Number(r.dynamodb?.SequenceNumber) - 100;

/** The mapping's pump, with reads by the schedule and the function by its mode. */
function simulate(s: Scenario): Run {
  const shard: ShardCheckpoint = { backlog: [], attempts: 0, retrying: 0, bisect: 1 };
  const policy = {
    bisectBatchOnError: s.bisect,
    maximumRetryAttempts: s.retries,
    maximumRecordAgeSeconds: -1,
  };
  const run: Run = {
    delivered: [],
    failures: s.budgets.map(() => 0),
    givenUp: [],
    batches: [],
    retriedFrom: [],
  };
  let unread = 0;
  let read = 0;
  for (let step = 0; unread < s.budgets.length || shard.backlog.length > 0; step++) {
    if (step > 10_000) throw new Error('no progress after 10,000 invocations');
    if (shard.backlog.length < s.batchSize && unread < s.budgets.length) {
      const left = s.budgets.length - unread;
      // A read that finds nothing while the backlog is empty is an idle wait: skip it.
      const min = shard.backlog.length === 0 ? 1 : 0;
      const arrived = Math.min(left, Math.max(min, s.arrivals[read++] ?? left));
      for (let i = unread; i < unread + arrived; i++) shard.backlog.push(recordOf(i));
      unread += arrived;
    }
    const batch = nextBatch(shard, s.batchSize);
    run.batches.push(batch.map(indexOf));
    const failed: number[] = [];
    for (const record of batch) {
      const i = indexOf(record);
      if ((run.failures[i] ?? 0) < (s.budgets[i] ?? 0)) {
        run.failures[i] = (run.failures[i] ?? 0) + 1;
        failed.push(i);
        if (s.mode !== 'report-all') break;
      } else run.delivered.push(i);
    }
    const failedAt =
      failed.length === 0
        ? -1
        : s.mode === 'throw'
          ? 0
          : reportedFailure(batch, { batchItemFailures: failed.map((i) => ({ itemIdentifier: seq(i) })) });
    const settled = settleBatch(shard, policy, batch.length, failedAt, 0);
    run.retriedFrom.push(settled.outcome === 'retry' ? failedAt : -1);
    if (settled.outcome === 'given-up') {
      run.givenUp.push({ records: settled.records.map(indexOf), invocations: settled.invocations });
    }
  }
  return run;
}

/** The rules every run keeps; an empty list when it keeps them all. */
function broken(s: Scenario, run: Run): string[] {
  const out: string[] = [];
  const given = run.givenUp.flatMap((g) => g.records);
  const n = s.budgets.length;
  for (let i = 0; i < n; i++) {
    if (!run.delivered.includes(i) && !given.includes(i)) out.push(`record ${i} lost`);
  }
  if (run.batches.some((b) => b.some((r, k) => k > 0 && r !== (b[k - 1] ?? 0) + 1))) {
    out.push('a batch not in stream order');
  }
  // A failed batch is retried as it was, from the failed record, or a part of it when
  // bisected: it never takes in records read after it failed, which would be given up with
  // it untried.
  run.batches.forEach((batch, k) => {
    const before = run.batches[k - 1] ?? [];
    const at = run.retriedFrom[k - 1] ?? -1;
    const rest = before.slice(Math.max(at, 0));
    if (at >= 0 && !(batch.length <= rest.length && batch.every((r, j) => r === rest[j]))) {
      out.push(`retried [${rest}] as [${batch}]`);
    }
  });
  // A function that goes on past a failed record has processed the records after it before
  // the failed one succeeds: in order only when it stops at its first failure.
  const firsts = [...new Set(run.delivered)];
  if (s.mode !== 'report-all' && firsts.some((r, k) => k > 0 && r < (firsts[k - 1] ?? 0))) {
    out.push('delivered out of order');
  }
  if (given.some((r, k) => k > 0 && r <= (given[k - 1] ?? 0))) out.push('given up out of order');
  // Bisecting halves the batch on each failed attempt, so what is given up in the end is at
  // most the batch size halved once per retry.
  const most = s.bisect ? Math.ceil(s.batchSize / 2 ** s.retries) : s.batchSize;
  for (const g of run.givenUp) {
    if (g.invocations !== s.retries + 1) {
      out.push(`batch from ${g.records[0]} given up after ${g.invocations} invocations`);
    }
    if (g.records.length > most) out.push(`${g.records.length} records given up together`);
  }
  if (s.mode === 'throw') return out;
  // With partial batch responses the checkpoint starts a new retry series at the failed
  // record: each given-up batch starts at a record that failed its own retries + 1 times.
  for (const g of run.givenUp) {
    const head = g.records[0] ?? -1;
    const budget = s.budgets[head] ?? 0;
    const failures = run.failures[head] ?? 0;
    if (budget <= s.retries) out.push(`record ${head} given up though it fails only ${budget} time(s)`);
    if (s.mode === 'report-first' ? failures !== s.retries + 1 : failures < s.retries + 1) {
      out.push(`record ${head} given up after failing ${failures} time(s)`);
    }
  }
  if (s.mode === 'report-first') {
    if (firsts.length !== run.delivered.length) out.push('a record processed twice');
    if (run.delivered.some((r) => given.includes(r))) out.push('a record both processed and given up');
  }
  return out;
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  batchSize: fc.constantFrom(1, 2, 3, 10),
  bisect: fc.boolean(),
  retries: fc.integer({ min: 0, max: 3 }),
  mode: fc.constantFrom<Mode>('report-first', 'report-all', 'throw'),
  budgets: fc.array(fc.oneof(fc.integer({ min: 0, max: 4 }), fc.constant(POISON)), {
    minLength: 1,
    maxLength: 8,
  }),
  arrivals: fc.array(fc.integer({ min: 0, max: 8 }), { maxLength: 12 }),
});

describe('table-stream checkpoint: retries and give-ups do not depend on how records were read', () => {
  it(`keeps its rules in ${RUNS.toLocaleString('en')} random schedules (seed ${SEED})`, () => {
    fc.assert(
      fc.property(scenario, (s) => {
        expect(broken(s, simulate(s))).toEqual([]);
      }),
      { numRuns: RUNS, seed: SEED },
    );
    console.info(`stream checkpoint: ${RUNS} random schedules passed (seed ${SEED})`);
  });

  // test/integration/local-stream-mapping.test.ts's records (a, flaky failing once, b,
  // poison, c; 2 retries, bisecting) as DynamoDB Local split them in two failing runs.
  it.each([
    {
      // a alone, flaky alone (it fails; a batch of one is not bisected), then b, poison and
      // c together behind flaky: flaky's failure used up one of poison's retries.
      run: 'CI, stop 27: poison given up after 2 attempts',
      arrivals: [1, 1, 3],
    },
    {
      // poison alone fails twice, then c arrives and joined poison's last attempt.
      run: 'after the first fix: c given up with poison, untried',
      arrivals: [1, 1, 1, 1, 0, 1],
    },
  ])('gives poison its own three attempts and c its turn ($run)', ({ arrivals }) => {
    const run = simulate({
      batchSize: 10,
      bisect: true,
      retries: 2,
      mode: 'report-first',
      budgets: [0, 1, 0, POISON, 0],
      arrivals,
    });
    expect(run.delivered).toEqual([0, 1, 2, 4]);
    expect(run.failures).toEqual([0, 1, 0, 3, 0]);
    expect(run.givenUp).toEqual([{ records: [3], invocations: 3 }]);
  });
});

describe('partial batch response', () => {
  const batch = [0, 1, 2, 3].map(recordOf);
  const failures = (...ids: (string | null | undefined)[]) => ({
    batchItemFailures: ids.map((itemIdentifier) => (itemIdentifier === undefined ? {} : { itemIdentifier })),
  });

  it('succeeds on a null or empty answer and on an empty or null failure list', () => {
    for (const answer of [null, undefined, {}, { batchItemFailures: [] }, { batchItemFailures: null }]) {
      expect(reportedFailure(batch, answer)).toBe(-1);
    }
  });

  it('retries from the lowest sequence number reported, whatever the list order', () => {
    expect(reportedFailure(batch, failures(seq(3), seq(1)))).toBe(1);
    expect(reportedFailure(batch, failures(seq(2)))).toBe(2);
  });

  it('fails the whole batch on an empty, null, missing or unknown identifier', () => {
    for (const bad of ['', null, undefined, 'not-a-sequence-number']) {
      expect(reportedFailure(batch, failures(seq(2), bad))).toBe(0);
    }
  });

  it('fails the whole batch on a malformed failure list', () => {
    for (const bad of ['x', { itemIdentifier: seq(2) }, [null], [seq(2)]]) {
      expect(reportedFailure(batch, { batchItemFailures: bad })).toBe(0);
    }
  });
});
