/**
 * `POST /api/inventory/reserve` through the local cloud's HTTP API (API Gateway emulator,
 * JWT authorizer with a token of the local issuer, the reservations function in a worker
 * thread, DynamoDB Local), against the replaced design's shape measured in the same run: the
 * same handler whose store also publishes and marks the outbox row before answering
 * (bench/reserve-before-handler.ts, a reconstruction), bundled like the stack's functions and
 * served by the same API emulator. Requests alternate between the two, one at a time.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { build } from 'esbuild';
import { httpApiHandler } from '../../local/api-gateway.ts';
import type { LocalCloud } from '../../local/cloud.ts';
import { LocalFunction } from '../../local/lambda-runtime.ts';
import { createDocumentClient } from '../../shared/adapters/aws-clients.ts';
import { itemRow, newItem } from '../../shared/adapters/dynamodb-store.ts';
import { Scope } from '../../shared/http/route-table.ts';
import { LOCAL_AWS, type StageContext } from '../context.ts';
import { percentile } from '../stats.ts';
import { esbuildOptions } from './cold-start.ts';

export interface HttpResult {
  /** Requests per shape (after ten warm-up requests each). */
  requests: number;
  reserveP50Ms: number;
  reserveP99Ms: number;
  /** The replaced design, reconstructed: commit, PutEvents, mark the outbox row, then answer. */
  beforeReserveP50Ms: number;
  beforeReserveP99Ms: number;
  /** before p50 / today's p50. */
  p50Ratio: number;
}

const RESERVE_PATH = '/api/inventory/reserve';
const ITEM = 'BENCH-HTTP';

export async function http(ctx: StageContext, cloud: LocalCloud): Promise<HttpResult> {
  const route = cloud.routes.find((r) => r.method === 'POST' && r.path === RESERVE_PATH);
  const today = route && cloud.functions.get(route.functionId);
  if (!route || !today) throw new Error(`No function behind POST ${RESERVE_PATH} in the template`);

  // The reconstruction, bundled with the stack's options, in its own environment pool.
  const outdir = join(ctx.root, '.local', 'bench');
  mkdirSync(outdir, { recursive: true });
  const codePath = join(outdir, 'reserve-before.mjs');
  await build({
    ...esbuildOptions(),
    entryPoints: [join(ctx.root, 'bench', 'reserve-before-handler.ts')],
    outfile: codePath,
  });
  const before = new LocalFunction(
    {
      ...today.config,
      logicalId: `${today.config.logicalId}Before`,
      functionName: `${today.config.functionName}-before`,
      codePath,
      exportName: 'handler',
      environment: { ...today.config.environment, EVENT_BUS_NAME: String(cloud.outputs.EventBusName) },
    },
    today.baseEnv,
    1,
  );
  const server = createServer(
    httpApiHandler({
      routes: [route],
      issuer: cloud.issuer,
      invoke: (_functionId, event) => before.invoke(event, 'http'),
      isReady: () => true,
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const beforeApi = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ddb = new DynamoDBClient({ ...LOCAL_AWS, endpoint: cloud.urls.edge });
  try {
    await createDocumentClient(ddb).send(
      new PutCommand({ TableName: cloud.outputs.TableName, Item: itemRow(newItem(ITEM, 10_000_000)) }),
    );
    const authorization = `Bearer ${await cloud.issuer.sign({ scopes: [Scope.Write] })}`;
    const reserve = async (api: string): Promise<number> => {
      const bookingId = randomUUID();
      const t0 = performance.now();
      const response = await fetch(`${api}${RESERVE_PATH}`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ bookingId, itemId: ITEM, quantity: 1 }),
      });
      await response.arrayBuffer();
      const ms = performance.now() - t0;
      if (response.status !== 201)
        throw new Error(`${api}: POST ${RESERVE_PATH} answered ${response.status}`);
      // The reconstruction answers only after its PutEvents: the event must be on the bus by now.
      if (api === beforeApi && cloud.bus.query({ bookingId, detailType: 'InventoryReserved' }).length === 0)
        throw new Error('the reconstructed reserve answered without publishing');
      return ms;
    };

    const requests = 200;
    const bar = ctx.bars.create(requests, 0, { stage: 'http reserve', detail: '' });
    // Warm-up: both functions' environments exist before the measurement.
    for (let i = 0; i < 10; i++) {
      await reserve(cloud.urls.api);
      await reserve(beforeApi);
    }
    const now: number[] = [];
    const then: number[] = [];
    for (let i = 0; i < requests; i++) {
      // Alternating which goes first, so neither always follows the other's writes.
      if (i % 2 === 0) {
        now.push(await reserve(cloud.urls.api));
        then.push(await reserve(beforeApi));
      } else {
        then.push(await reserve(beforeApi));
        now.push(await reserve(cloud.urls.api));
      }
      bar.increment();
    }
    const result = {
      requests,
      reserveP50Ms: percentile(now, 50),
      reserveP99Ms: percentile(now, 99),
      beforeReserveP50Ms: percentile(then, 50),
      beforeReserveP99Ms: percentile(then, 99),
    };
    return { ...result, p50Ratio: result.beforeReserveP50Ms / result.reserveP50Ms };
  } finally {
    ddb.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await before.stop();
  }
}
