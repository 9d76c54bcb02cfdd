import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbInventoryStore } from '../../shared/adapters/dynamodb-store.ts';
import { withJitteredRetries } from '../../shared/adapters/retry.ts';
import {
  ConcurrentModificationError,
  InsufficientInventoryError,
  ItemNotFoundError,
  ValidationError,
} from '../../shared/domain/errors.ts';
import { eventIdFor, reservationIdFor } from '../../shared/domain/event-ids.ts';
import type { Reservation } from '../../shared/domain/model.ts';
import { validateLines } from '../../shared/domain/use-cases/shared.ts';

describe('line validation', () => {
  it('sorts valid lines and refuses bad ones', () => {
    expect(
      validateLines([
        { itemId: 'B', quantity: 1 },
        { itemId: 'A', quantity: 2 },
      ]).map((l) => l.itemId),
    ).toEqual(['A', 'B']);
    for (const lines of [
      [],
      Array.from({ length: 26 }, (_, i) => ({ itemId: `I${i}`, quantity: 1 })),
      [{ itemId: 'A', quantity: 0 }],
      [{ itemId: 'A', quantity: 10_001 }],
      [{ itemId: 'A', quantity: 1.5 }],
      [{ itemId: ' bad', quantity: 1 }],
      [
        { itemId: 'A', quantity: 1 },
        { itemId: 'A', quantity: 1 },
      ],
    ]) {
      expect(() => validateLines(lines)).toThrow(ValidationError);
    }
  });
});

describe('derived ids', () => {
  it('are stable for the same booking, transition and generation, and differ otherwise', () => {
    const b = '3f0c5a4e-8d7b-4a51-9b1e-6a2f1c9d4e11';
    expect(eventIdFor(b, 'RESERVED')).toBe(eventIdFor(b, 'RESERVED', 0));
    expect(eventIdFor(b, 'RESERVED')).not.toBe(eventIdFor(b, 'CONFIRMED'));
    expect(eventIdFor(b, 'RESERVED', 1)).not.toBe(eventIdFor(b, 'RESERVED', 0));
    expect(reservationIdFor(b)).toBe(reservationIdFor(b));
    expect(reservationIdFor(b)).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('never change: ids already stored and published stay what uuid v5 gave them', () => {
    // Computed once with uuid's v5(name, namespace string); a change here re-keys every
    // reservation and breaks downstream deduplication.
    const b = '6d9f7a52-5a1b-4c3e-9f1e-0a1b2c3d4e5f';
    expect(reservationIdFor(b)).toBe('5831a221-49b5-57b4-a080-0cba2b86af1b');
    expect(eventIdFor(b, 'RESERVED')).toBe('42f6f4b3-20da-5353-a317-bfb6b64d47b7');
    expect(eventIdFor('ROOM-é-1', 'Ünïcode', 3)).toBe('9ea10cb3-d2a5-5c66-9f2e-57072f020680');
  });
});

describe('jittered retries', () => {
  it('retries only what is retryable, within the ceiling, at most `attempts` times', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const retryable = new Error('again');
    await expect(
      withJitteredRetries(
        async () => {
          calls++;
          throw retryable;
        },
        (e) => e === retryable,
        {
          attempts: 4,
          baseDelayMs: 10,
          maxDelayMs: 25,
          random: () => 0.999,
          sleep: async (ms) => void sleeps.push(ms),
        },
      ),
    ).rejects.toBe(retryable);
    expect(calls).toBe(4);
    expect(sleeps).toEqual([9, 19, 24]);
    calls = 0;
    await expect(
      withJitteredRetries(
        async () => {
          calls++;
          throw new Error('no');
        },
        () => false,
      ),
    ).rejects.toThrow('no');
    expect(calls).toBe(1);
  });
});

describe('store: cancellation reasons become domain errors', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const store = new DynamoDbInventoryStore({
    client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
    tableName: 't',
    conflictRetry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
  });
  const reservation: Reservation = {
    reservationId: 'r',
    bookingId: 'b',
    status: 'RESERVED',
    items: [
      { itemId: 'A', quantity: 2 },
      { itemId: 'B', quantity: 5 },
    ],
    expiresAt: '2026-01-01T00:15:00.000Z',
    createdAt: '2026-01-01T00:00:00.000Z',
    correlationId: 'c',
    version: 1,
    generation: 0,
  };
  const write = () =>
    store.writeReservation({
      expected: { kind: 'absent' },
      next: reservation,
      movements: reservation.items.map((l) => ({ ...l, from: 'available', to: 'reserved' })),
      movementType: 'RESERVE',
      now: '2026-01-01T00:00:00.000Z',
    });
  const cancelled = (reasons: { Code: string; Item?: Record<string, unknown> }[]) =>
    new TransactionCanceledException({
      message: 'cancelled',
      $metadata: {},
      CancellationReasons: reasons as never,
    });
  const none = { Code: 'None' };

  beforeEach(() => ddb.reset());

  it('a failed stock line with its old item -> InsufficientInventoryError with what is left', async () => {
    ddb.on(TransactWriteCommand).rejects(
      // reservation, line A, line B
      cancelled([
        none,
        none,
        {
          Code: 'ConditionalCheckFailed',
          Item: { availableQuantity: { N: '3' }, reservedQuantity: { N: '1' } },
        },
      ]),
    );
    const error = await write().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InsufficientInventoryError);
    expect((error as InsufficientInventoryError).shortfalls).toEqual([
      { itemId: 'B', requested: 5, available: 3 },
    ]);
  });

  it('a failed stock line without an item -> ItemNotFoundError', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled([none, { Code: 'ConditionalCheckFailed' }, none]));
    await expect(write()).rejects.toBeInstanceOf(ItemNotFoundError);
  });

  it('a failed booking-record condition -> ConcurrentModificationError (re-decide)', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled([{ Code: 'ConditionalCheckFailed' }, none, none]));
    await expect(write()).rejects.toBeInstanceOf(ConcurrentModificationError);
  });

  it('a reserve commits the booking row (with what it moved) and the item counters, nothing else', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await write();
    const items = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items.map((i) => (i.Put?.Item ?? i.Update?.Key)?.pk)).toEqual(['BOOKING#b', 'ITEM#A', 'ITEM#B']);
    expect(items[0]?.Put?.Item?.moves).toEqual({
      type: 'RESERVE',
      at: '2026-01-01T00:00:00.000Z',
      lines: [
        { itemId: 'A', quantity: 2, from: 'available', to: 'reserved' },
        { itemId: 'B', quantity: 5, from: 'available', to: 'reserved' },
      ],
    });
    // Each line's item counts the ledger row the stream writes for it.
    expect(items[1]?.Update?.UpdateExpression).toContain(
      'ledgerCount = if_not_exists(ledgerCount, :zero) + :one',
    );
  });

  it('TransactionConflict is retried, then succeeds; past the budget it is a ConcurrentModificationError', async () => {
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled([{ Code: 'TransactionConflict' }]))
      .resolves({});
    await expect(write()).resolves.toBeUndefined();
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(2);
    ddb.reset();
    ddb.on(TransactWriteCommand).rejects(cancelled([{ Code: 'TransactionConflict' }]));
    await expect(write()).rejects.toBeInstanceOf(ConcurrentModificationError);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(3);
  });
});
