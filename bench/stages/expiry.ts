/** Expiry scaling: expire K due reservations among M live ones; cost must follow K, not M. */
import { randomUUID } from 'node:crypto';
import { BatchWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../shared/adapters/aws-clients.ts';
import { ManualClock } from '../../shared/adapters/clock.ts';
import { DynamoDbInventoryStore, reservationRow } from '../../shared/adapters/dynamodb-store.ts';
import { reservationIdFor } from '../../shared/domain/event-ids.ts';
import type { EventPublisher } from '../../shared/domain/ports.ts';
import { expireDueReservations } from '../../shared/domain/use-cases/index.ts';
import { meteredClient } from '../capacity-meter.ts';
import type { DynamoStageContext } from '../context.ts';

export interface ExpiryRow {
  K: number;
  M: number;
  expired: number;
  seconds: number;
  requests: number;
  rcu: number;
  wcu: number;
}

export interface ExpiryResult {
  rows: ExpiryRow[];
  /** Requests with the larger M over requests with the smaller M. */
  requestRatio: number;
}

const silentPublisher: EventPublisher = { publish: async () => undefined };

export async function expiry(ctx: DynamoStageContext): Promise<ExpiryResult> {
  const K = 1_000;
  const Ms = ctx.quick ? [1_000, 10_000] : [1_000, 100_000];
  const bar = ctx.bars.create(
    Ms.reduce((a, b) => a + b + K, 0),
    0,
    { stage: 'expiry scaling', detail: 'loading' },
  );
  const rows: ExpiryRow[] = [];
  for (const M of Ms) {
    const counting = meteredClient(ctx.endpoint);
    const tableName = await ctx.freshTable('expiry');
    await ctx.seed(tableName, 'EXP', 10_000_000);
    const now = new Date('2026-06-01T12:00:00.000Z');
    const rowsToLoad = K + M;
    for (let i = 0; i < rowsToLoad; i += 25) {
      const batch = Array.from({ length: Math.min(25, rowsToLoad - i) }, (_, j) => {
        const bookingId = randomUUID();
        const expiresAt = new Date(now.getTime() + (i + j < K ? -60_000 : 3_600_000)).toISOString();
        return {
          PutRequest: {
            Item: reservationRow({
              reservationId: reservationIdFor(bookingId),
              bookingId,
              status: 'RESERVED',
              items: [{ itemId: 'EXP', quantity: 1 }],
              expiresAt,
              createdAt: now.toISOString(),
              correlationId: 'bench',
              version: 1,
              generation: 0,
            }),
          },
        };
      });
      await ctx.doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: batch } }));
      bar.increment(batch.length, { detail: `loading M=${M}` });
    }
    await ctx.doc.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: 'ITEM#EXP', sk: 'ITEM' },
        UpdateExpression: 'SET availableQuantity = availableQuantity - :n, reservedQuantity = :n',
        ExpressionAttributeValues: { ':n': rowsToLoad },
      }),
    );
    const deps = {
      store: new DynamoDbInventoryStore({ client: createDocumentClient(counting.client), tableName }),
      publisher: silentPublisher,
      clock: new ManualClock(now),
    };
    counting.reset();
    const t0 = performance.now();
    let expired = 0;
    for (;;) {
      const r = await expireDueReservations({ limit: 200 }, deps);
      expired += r.expired;
      if (r.examined < 200) break;
    }
    const seconds = (performance.now() - t0) / 1000;
    const c = counting.reset();
    counting.client.destroy();
    rows.push({
      K,
      M,
      expired,
      seconds,
      requests: Object.values(c.requests).reduce((a, b) => a + b, 0),
      rcu: c.rcu,
      wcu: c.wcu,
    });
  }
  return { rows, requestRatio: (rows[1]?.requests ?? 0) / (rows[0]?.requests ?? 1) };
}
