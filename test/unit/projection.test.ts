import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { type ChangeRecord, processChanges } from '../../shared/adapters/change-stream.ts';
import { DynamoDbProjector, projectionOf } from '../../shared/adapters/dynamodb/projection.ts';
import { reservationRow } from '../../shared/adapters/dynamodb-store.ts';
import type { Reservation } from '../../shared/domain/model.ts';
import type { OutgoingEvent } from '../../shared/domain/ports.ts';

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-01T00:05:00.000Z';
const EXPIRES = '2026-01-01T00:15:00.000Z';

const reserved: Reservation = {
  reservationId: 'r',
  bookingId: 'b',
  status: 'RESERVED',
  items: [
    { itemId: 'A', quantity: 2 },
    { itemId: 'B', quantity: 1 },
  ],
  expiresAt: EXPIRES,
  createdAt: T0,
  correlationId: 'c',
  version: 1,
  generation: 0,
  answers: [{ type: 'InventoryReserved', status: 'RESERVED' }] as never,
  decidedAt: T0,
};
const reserveRow = reservationRow(reserved, {
  type: 'RESERVE',
  at: T0,
  lines: reserved.items.map((l) => ({ ...l, from: 'available', to: 'reserved' })),
});
const confirmRow = reservationRow(
  { ...reserved, status: 'CONFIRMED', version: 2, confirmedAt: T1, decidedAt: T1 },
  {
    type: 'CONFIRM',
    at: T1,
    lines: reserved.items.map((l) => ({ ...l, from: 'reserved', to: 'confirmed' })),
  },
);
const change = (
  n: number,
  oldImage?: Record<string, unknown>,
  newImage?: Record<string, unknown>,
): ChangeRecord => ({
  sequenceNumber: String(n).padStart(5, '0'),
  ...(oldImage ? { oldImage } : {}),
  ...(newImage ? { newImage } : {}),
});
const reserve = change(1, undefined, reserveRow);
const confirm = change(2, reserveRow, confirmRow);

describe('projection of a change: ledger and hold rows from the booking row', () => {
  it('a reserve owes a ledger row and a hold row per line', () => {
    const writes = projectionOf(reserve);
    expect(writes.map((w) => (w.kind === 'put' ? [w.kind, w.row.pk, w.row.sk] : [w.kind]))).toEqual([
      ['put', 'ITEM#A', `MOVE#${T0}#b#1`],
      ['put', 'ITEM#B', `MOVE#${T0}#b#1`],
      ['put', 'ITEM#A', `HOLD#${EXPIRES}#b`],
      ['put', 'ITEM#B', `HOLD#${EXPIRES}#b`],
    ]);
    expect(writes[0]).toMatchObject({
      row: {
        entity: 'MOVEMENT',
        type: 'RESERVE',
        bookingId: 'b',
        quantity: 2,
        from: 'available',
        to: 'reserved',
        at: T0,
      },
    });
  });

  it('a confirmation owes its ledger rows and removes the holds its old image had', () => {
    const writes = projectionOf(confirm);
    expect(writes).toEqual([
      expect.objectContaining({
        kind: 'put',
        row: expect.objectContaining({ sk: `MOVE#${T1}#b#2`, to: 'confirmed' }),
      }),
      expect.objectContaining({
        kind: 'put',
        row: expect.objectContaining({ pk: 'ITEM#B', sk: `MOVE#${T1}#b#2` }),
      }),
      { kind: 'delete', key: { pk: 'ITEM#A', sk: `HOLD#${EXPIRES}#b` } },
      { kind: 'delete', key: { pk: 'ITEM#B', sk: `HOLD#${EXPIRES}#b` } },
    ]);
  });

  it('owes nothing for a rewrite of the same version, a decision that moved nothing, or any other row', () => {
    expect(projectionOf(change(3, reserveRow, reserveRow))).toEqual([]);
    const pending = reservationRow({ ...reserved, status: 'PENDING', items: [], version: 1 });
    expect(projectionOf(change(4, undefined, pending))).toEqual([]);
    expect(projectionOf(change(5, { entity: 'ITEM', version: 1 }, { entity: 'ITEM', version: 2 }))).toEqual(
      [],
    );
    expect(projectionOf(change(6, { entity: 'MOVEMENT' }, undefined))).toEqual([]);
  });
});

describe('DynamoDbProjector', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const projector = new DynamoDbProjector({
    client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
    tableName: 'T',
  });
  const requests = () =>
    ddb.commandCalls(BatchWriteCommand).flatMap((c) => c.args[0].input.RequestItems?.T ?? []);
  beforeEach(() => ddb.reset());

  it('collapses a batch per key in stream order: a hold added and removed within it is only removed', async () => {
    ddb.on(BatchWriteCommand).resolves({});
    const result = await projector.project([reserve, confirm]);
    expect(result).toEqual({ projected: 6 });
    const holds = requests().filter((r) => JSON.stringify(r).includes('HOLD#'));
    expect(holds).toEqual([
      { DeleteRequest: { Key: { pk: 'ITEM#A', sk: `HOLD#${EXPIRES}#b` } } },
      { DeleteRequest: { Key: { pk: 'ITEM#B', sk: `HOLD#${EXPIRES}#b` } } },
    ]);
    expect(requests().filter((r) => r.PutRequest?.Item?.entity === 'MOVEMENT')).toHaveLength(4);
  });

  it('sends unprocessed writes again until they are written', async () => {
    const first = projectionOf(reserve)[0] as unknown;
    ddb
      .on(BatchWriteCommand)
      .resolvesOnce({
        UnprocessedItems: { T: [{ PutRequest: { Item: (first as { row: Record<string, unknown> }).row } }] },
      })
      .resolves({});
    await expect(projector.project([reserve])).resolves.toEqual({ projected: 4 });
    expect(ddb.commandCalls(BatchWriteCommand)).toHaveLength(2);
  });

  it('reports the first change whose writes are not known to be written', async () => {
    ddb.on(BatchWriteCommand).rejects(new Error('throttled'));
    await expect(
      projector.project([change(9, undefined, { entity: 'ITEM', version: 1 }), reserve]),
    ).resolves.toEqual({
      projected: 0,
      failedAt: 1,
    });
  });

  it('stops at a change it cannot project, and writes what came before it', async () => {
    ddb.on(BatchWriteCommand).resolves({});
    const poison = change(7, undefined, { ...reserveRow, version: 3, moves: { lines: 'not a list' } });
    await expect(projector.project([reserve, poison])).resolves.toEqual({ projected: 4, failedAt: 1 });
  });
});

describe('processChanges: the projection, then the events of the changes it covers', () => {
  it('publishes nothing past the first change whose projection failed, and retries from it', async () => {
    const published: OutgoingEvent[] = [];
    const result = await processChanges([reserve, confirm], {
      publisher: { publish: async (events) => void published.push(...events) },
      projector: { project: async () => ({ projected: 0, failedAt: 1 }) },
    });
    expect(result).toEqual({ published: 1, projected: 0, failedAt: confirm.sequenceNumber });
    expect(published.map((e) => e.detailType)).toEqual(['InventoryReserved']);
  });
});
