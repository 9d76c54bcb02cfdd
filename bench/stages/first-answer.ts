/**
 * First answer: what one cold invocation costs beyond module initialisation. For a few
 * functions, a fresh Node process per sample imports the bundle (as the cold-start stage
 * does), then calls its handler with a representative event and a Lambda context, twice: the
 * first answer pays what runs only once (the SDK's first request: endpoint rules, signing, a
 * new connection; the first run of our code), the second is a warm invocation in the same
 * process. The SDK goes to a DynamoDB Local holding the function's table (its logical id, as
 * the template resolves it) with one item, through `AWS_ENDPOINT_URL`, as the local cloud
 * points the functions; every answer is checked (a 200, or a sweep that ran). The emulator's
 * own time is inside both answers, so the cold penalty is their difference, not the first alone.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { startDynamoDbLocal } from '../../local/dynamodb-local.ts';
import { domainTableDefinition } from '../../shared/adapters/table-schema.ts';
import { httpEvent } from '../../test/support/http.ts';
import { dynamoContext, runNode, type StageContext } from '../context.ts';
import { percentile } from '../stats.ts';
import type { Bundle } from './cold-start.ts';

export interface FirstAnswers {
  /** Untimed rounds of every case before the samples. */
  warmUpRounds: number;
  entries: FirstAnswerEntry[];
}

export interface FirstAnswerEntry {
  function: string;
  /** The event each sample answered, in words. */
  event: string;
  initMsMedian: number;
  /** The handler's first call: from its start to its answer (ms). */
  firstAnswerMsMedian: number;
  firstAnswerMsP90: number;
  /** Init and first answer together: the cold invocation's time inside the process. */
  coldMsMedian: number;
  /** The second call in the same process: a warm invocation. */
  warmAnswerMsMedian: number;
}

const SCHEDULED_EVENT = {
  version: '0',
  id: 'bench',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2026-01-01T00:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: {},
};

/** The functions answered, one per kind: no SDK, an SDK read, the sweeper's query. */
export const FIRST_ANSWER_CASES: {
  function: string;
  event: string;
  payload: () => unknown;
  ok: 'http' | 'sweep';
}[] = [
  { function: 'Health', event: 'GET /health', payload: () => httpEvent('GET /health'), ok: 'http' },
  {
    function: 'InventoryRead',
    event: 'GET /api/inventory (one item)',
    payload: () => httpEvent('GET /api/inventory'),
    ok: 'http',
  },
  {
    function: 'ExpireReservations',
    event: 'the schedule (nothing due)',
    payload: () => SCHEDULED_EVENT,
    ok: 'sweep',
  },
];

/** Untimed rounds of every case before the samples: a fresh emulator answers its first queries slowly. */
const WARM_UP_ROUNDS = 3;

/** The runner: import, then two calls; prints `answer <init> <first> <warm>` or fails. */
const RUNNER = `
const context = (name) => ({
  callbackWaitsForEmptyEventLoop: false, functionName: name, functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:' + name,
  memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, awsRequestId: crypto.randomUUID(),
  logGroupName: '/aws/lambda/' + name, logStreamName: 'bench',
  getRemainingTimeInMillis: () => 30000,
});
const check = (answer) => {
  const ok = process.env.BENCH_OK === 'http' ? answer?.statusCode === 200 : typeof answer?.batches === 'number';
  if (!ok) throw new Error('unexpected answer: ' + JSON.stringify(answer).slice(0, 300));
};
const event = JSON.parse(process.env.BENCH_EVENT);
const name = process.env.AWS_LAMBDA_FUNCTION_NAME;
const t0 = performance.now();
const m = await import(process.argv[2]);
const t1 = performance.now();
check(await m.handler(structuredClone(event), context(name)));
const t2 = performance.now();
check(await m.handler(structuredClone(event), context(name)));
const t3 = performance.now();
process.stdout.write('\\nanswer ' + (t1 - t0) + ' ' + (t2 - t1) + ' ' + (t3 - t2) + '\\n');
process.exit(0);
`;

export async function firstAnswers(
  ctx: StageContext,
  node: string,
  dir: string,
  bundles: readonly Bundle[],
  samples: number,
  onSample: (fn: string) => void = () => undefined,
): Promise<FirstAnswers> {
  const runner = join(dir, 'answer.mjs');
  writeFileSync(runner, RUNNER);
  const cases = FIRST_ANSWER_CASES.flatMap((c) => {
    const bundle = bundles.find((b) => b.function === c.function);
    return bundle ? [{ ...c, bundle }] : [];
  });
  const dynamo = await startDynamoDbLocal();
  try {
    const local = dynamoContext(ctx, dynamo);
    const tables = new Set(cases.flatMap((c) => (c.bundle.env.TABLE_NAME ? [c.bundle.env.TABLE_NAME] : [])));
    for (const table of tables) {
      await local.client.send(new CreateTableCommand(domainTableDefinition(table)));
      await local.seed(table, 'BENCH-ITEM', 10);
    }
    local.client.destroy();
    const times = new Map(
      cases.map((c) => [c.function, { init: [] as number[], first: [] as number[], warm: [] as number[] }]),
    );
    for (let i = -WARM_UP_ROUNDS; i < samples; i++) {
      for (const c of cases) {
        const env = {
          ...c.bundle.env,
          AWS_ENDPOINT_URL: dynamo.endpoint,
          BENCH_EVENT: JSON.stringify(c.payload()),
          BENCH_OK: c.ok,
        };
        const t = await answer(node, runner, c.bundle.file, env);
        if (i < 0) continue;
        const series = times.get(c.function);
        series?.init.push(t.init);
        series?.first.push(t.first);
        series?.warm.push(t.warm);
        onSample(c.function);
      }
    }
    const entries = cases.map((c) => {
      const t = times.get(c.function) ?? { init: [], first: [], warm: [] };
      return {
        function: c.function,
        event: c.event,
        initMsMedian: percentile(t.init, 50),
        firstAnswerMsMedian: percentile(t.first, 50),
        firstAnswerMsP90: percentile(t.first, 90),
        coldMsMedian: percentile(
          t.init.map((x, k) => x + (t.first[k] ?? 0)),
          50,
        ),
        warmAnswerMsMedian: percentile(t.warm, 50),
      };
    });
    return { warmUpRounds: WARM_UP_ROUNDS, entries };
  } finally {
    await dynamo.stop();
  }
}

async function answer(
  node: string,
  runner: string,
  file: string,
  env: Record<string, string>,
): Promise<{ init: number; first: number; warm: number }> {
  const { code, out, err } = await runNode(node, [runner, file], env);
  const [, init, first, warm] = (/^answer (\S+) (\S+) (\S+)$/m.exec(out) ?? []).map(Number);
  if (code !== 0 || ![init, first, warm].every((x) => Number.isFinite(x))) {
    throw new Error(`${file} did not answer (exit ${code}): ${(err || out).slice(-500)}`);
  }
  return { init: init as number, first: first as number, warm: warm as number };
}
