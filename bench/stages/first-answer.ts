/**
 * First answer: what one cold invocation costs beyond module initialisation. For one function
 * of each kind, a fresh Node process per sample imports the bundle (as the cold-start stage
 * does), then calls its handler with a representative event and a Lambda context, twice: the
 * first answer pays what runs only once (the SDK's first request: endpoint rules, signing, a
 * new connection; a JWT route's issuer discovery and JWKS fetch; the first run of our code),
 * the second is a warm invocation in the same process (a new booking again, where it writes).
 * The SDK goes to a DynamoDB Local holding the function's tables (their logical ids, as the
 * template resolves them) with one item, through `AWS_ENDPOINT_URL`, as the local cloud points
 * the functions; tokens come from a local RS256 issuer served over http on 127.0.0.1, as in the
 * local cloud. Every answer is checked (a 2xx, a batch with no failures, or a sweep that ran).
 * The emulator's own time is inside both answers, so the cold penalty is their difference.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { startDynamoDbLocal } from '../../local/dynamodb-local.ts';
import { LOCAL_AUDIENCE, LocalIssuer } from '../../local/issuer.ts';
import { domainTableDefinition, idempotencyTableDefinition } from '../../shared/adapters/table-schema.ts';
import { Scope } from '../../shared/http/route-table.ts';
import { httpEvent } from '../../test/support/http.ts';
import { sampleFor, sqsBatch } from '../../test/support/saga.ts';
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

/** What a case's events may use: a bearer token of the bench's issuer with the write scope. */
interface CaseTools {
  token: string;
}

/** Units of the one seeded item: enough for every reserve of every sample. */
const SEEDED_UNITS = 10_000;
const SEEDED_ITEM = 'BENCH-ITEM';

const newBookingLines = () => [{ itemId: SEEDED_ITEM, quantity: 1 }];
const twice = (event: () => unknown): [unknown, unknown] => [event(), event()];

/**
 * The functions answered, one per kind: no SDK, an SDK read, the sweeper's query, a JWT route
 * under idempotency that reserves, a saga consumer that reserves. `events` gives the two calls.
 */
export const FIRST_ANSWER_CASES: {
  function: string;
  event: string;
  events: (tools: CaseTools) => [unknown, unknown];
  ok: 'http' | 'sweep' | 'batch';
}[] = [
  {
    function: 'Health',
    event: 'GET /health',
    events: () => twice(() => httpEvent('GET /health')),
    ok: 'http',
  },
  {
    function: 'InventoryRead',
    event: 'GET /api/inventory (one item)',
    events: () => twice(() => httpEvent('GET /api/inventory')),
    ok: 'http',
  },
  {
    function: 'ExpireReservations',
    event: 'the schedule (nothing due)',
    events: () => twice(() => SCHEDULED_EVENT),
    ok: 'sweep',
  },
  {
    function: 'Reservations',
    event: 'POST /api/inventory/reserve (a new booking; the first call discovers the JWKS)',
    events: ({ token }) =>
      twice(() =>
        httpEvent('POST /api/inventory/reserve', {
          headers: { authorization: `Bearer ${token}` },
          body: { bookingId: randomUUID(), items: newBookingLines() },
        }),
      ),
    ok: 'http',
  },
  {
    function: 'OnBookingCreated',
    event: 'an SQS batch of one BookingCreated (a new booking)',
    events: () =>
      twice(() => sqsBatch([sampleFor('BookingCreated', randomUUID(), newBookingLines()).eventBridge])),
    ok: 'batch',
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
  const kind = process.env.BENCH_OK;
  const ok =
    kind === 'http' ? answer?.statusCode >= 200 && answer?.statusCode < 300
    : kind === 'batch' ? Array.isArray(answer?.batchItemFailures) && answer.batchItemFailures.length === 0
    : typeof answer?.batches === 'number';
  if (!ok) throw new Error('unexpected answer: ' + JSON.stringify(answer).slice(0, 300));
};
const [first, second] = JSON.parse(process.env.BENCH_EVENTS);
const name = process.env.AWS_LAMBDA_FUNCTION_NAME;
const t0 = performance.now();
const m = await import(process.argv[2]);
const t1 = performance.now();
check(await m.handler(first, context(name)));
const t2 = performance.now();
check(await m.handler(second, context(name)));
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
  // The issuer first: it holds no process (its server is unref'd), the emulator does.
  const jwks = await jwksServer(dir);
  const dynamo = await startDynamoDbLocal();
  try {
    const local = dynamoContext(ctx, dynamo);
    const tableNames = (key: string) =>
      new Set(cases.flatMap((c) => (c.bundle.env[key] ? [c.bundle.env[key]] : [])));
    for (const table of tableNames('TABLE_NAME')) {
      await local.client.send(new CreateTableCommand(domainTableDefinition(table)));
      await local.seed(table, SEEDED_ITEM, SEEDED_UNITS);
    }
    for (const table of tableNames('IDEMPOTENCY_TABLE_NAME')) {
      await local.client.send(new CreateTableCommand(idempotencyTableDefinition(table)));
    }
    local.client.destroy();
    const tools: CaseTools = {
      token: await jwks.issuer.sign({ scopes: [Scope.Write], subject: 'bench-user' }),
    };
    const times = new Map(
      cases.map((c) => [c.function, { init: [] as number[], first: [] as number[], warm: [] as number[] }]),
    );
    for (let i = -WARM_UP_ROUNDS; i < samples; i++) {
      for (const c of cases) {
        const env: Record<string, string> = {
          ...c.bundle.env,
          AWS_ENDPOINT_URL: dynamo.endpoint,
          BENCH_EVENTS: JSON.stringify(c.events(tools)),
          BENCH_OK: c.ok,
        };
        if (env.JWT_ISSUER !== undefined) {
          // The issuer is discovered (openid-configuration, then its JWKS), as on AWS.
          Object.assign(env, { JWT_ISSUER: jwks.issuer.issuer, JWT_AUDIENCE: LOCAL_AUDIENCE });
          delete env.JWT_JWKS_URI;
        }
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
    await jwks.close();
    await dynamo.stop();
  }
}

/**
 * A local RS256 issuer (local/issuer.ts, keys under `dir`) whose discovery document and JWKS
 * are served over http on 127.0.0.1, the path a function takes in the local cloud.
 */
async function jwksServer(dir: string): Promise<{ issuer: LocalIssuer; close: () => Promise<void> }> {
  let issuer: LocalIssuer | undefined;
  const server = createServer((req, res) => {
    const known = issuer?.wellKnown(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    if (known === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(known));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  const loaded = await LocalIssuer.load(
    join(dir, 'issuer'),
    `http://127.0.0.1:${(server.address() as AddressInfo).port}/issuer`,
  );
  issuer = loaded;
  return { issuer: loaded, close: () => new Promise((resolve) => server.close(() => resolve())) };
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
