import { randomUUID } from 'node:crypto';
import {
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../shared/adapters/aws-clients.ts';
import { publishChanges } from '../../../shared/adapters/change-stream.ts';
import { DynamoDbInventoryStore } from '../../../shared/adapters/dynamodb-store.ts';
import { EventBridgePublisher } from '../../../shared/adapters/eventbridge-publisher.ts';
import { confirmBooking, reserveBooking } from '../../../shared/domain/use-cases/index.ts';
import {
  createTestTables,
  invariantHolds,
  localClient,
  seedItem,
  type TestTables,
} from '../../support/dynamo.ts';
import { deps, RecordingPublisher } from '../../support/fakes.ts';

/**
 * Faults DynamoDB Local never produces, injected into a real client on a real table:
 * transaction conflicts, throttling, EventBridge partial failures and a crash between
 * the commit and the publish. In each, no unit is lost or counted twice and every event
 * is published at least once, with the same id.
 */

let t: TestTables;
beforeAll(async () => {
  t = await createTestTables('faults');
});
afterAll(async () => {
  await t.drop();
});

/** A store whose client fails the next `n` calls of `command` with `error()` before they reach DynamoDB. */
function faultyStore(command: string, error: () => Error) {
  const client = localClient(t.endpoint);
  let remaining = 0;
  let injected = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === command && remaining > 0) {
        remaining--;
        injected++;
        throw error();
      }
      return next(args);
    },
    { step: 'initialize', name: 'faultInjector' },
  );
  const store = new DynamoDbInventoryStore({
    client: createDocumentClient(client),
    tableName: t.tableName,
    conflictRetry: { attempts: 6, baseDelayMs: 1, maxDelayMs: 5 },
  });
  return { store, fail: (n: number) => (remaining = n), injected: () => injected };
}

const conflict = () =>
  new TransactionCanceledException({
    message:
      'Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]',
    $metadata: {},
    CancellationReasons: [{ Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' }],
  });

describe('TransactionConflict', () => {
  it('is retried with jittered back-off and the reserve lands exactly once', async () => {
    await seedItem(t.doc, t.tableName, 'F-CONFLICT', 10);
    const faulty = faultyStore('TransactWriteItemsCommand', conflict);
    const d = deps(faulty.store);
    faulty.fail(3);
    const result = await reserveBooking(
      { bookingId: randomUUID(), items: [{ itemId: 'F-CONFLICT', quantity: 2 }], correlationId: 'c' },
      d,
    );
    expect(result.outcome).toBe('created');
    expect(faulty.injected()).toBe(3);
    expect(await t.store.getItem('F-CONFLICT')).toMatchObject({ availableQuantity: 8, reservedQuantity: 2 });
  });

  it('gives up after its budget with a retryable error, having written nothing', async () => {
    await seedItem(t.doc, t.tableName, 'F-CONFLICT-2', 10);
    const faulty = faultyStore('TransactWriteItemsCommand', conflict);
    faulty.fail(1000);
    const attempt = reserveBooking(
      { bookingId: randomUUID(), items: [{ itemId: 'F-CONFLICT-2', quantity: 2 }], correlationId: 'c' },
      deps(faulty.store),
    );
    await expect(attempt).rejects.toMatchObject({ code: 'CONCURRENT_MODIFICATION' });
    expect(await t.store.getItem('F-CONFLICT-2')).toMatchObject({
      availableQuantity: 10,
      reservedQuantity: 0,
    });
  });
});

describe('throttling', () => {
  it('a throttled transaction surfaces as a retryable error and a retry applies once', async () => {
    await seedItem(t.doc, t.tableName, 'F-THROTTLE', 10);
    const faulty = faultyStore(
      'TransactWriteItemsCommand',
      () => new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: {} }),
    );
    const d = deps(faulty.store);
    const input = {
      bookingId: randomUUID(),
      items: [{ itemId: 'F-THROTTLE', quantity: 1 }],
      correlationId: 'c',
    };
    faulty.fail(1);
    await expect(reserveBooking(input, d)).rejects.toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(await t.store.getItem('F-THROTTLE')).toMatchObject({ reservedQuantity: 0 });
    // SQS redelivers the message (or the client retries): applied once.
    await reserveBooking(input, d);
    await reserveBooking(input, d);
    expect(await t.store.getItem('F-THROTTLE')).toMatchObject({ availableQuantity: 9, reservedQuantity: 1 });
  });
});

describe('the change stream publisher (functions/publish-changes.ts)', () => {
  const eventBridge = mockClient(EventBridgeClient);
  beforeEach(() => eventBridge.reset());
  const publisher = () =>
    new EventBridgePublisher({
      client: new EventBridgeClient({ region: 'us-east-1' }),
      eventBusName: 'bus',
      retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
    });
  /** Commits with the plain store (nothing published), then reads what the stream holds. */
  const committed = async (work: (d: ReturnType<typeof deps>) => Promise<unknown>) => {
    await t.stream.drain();
    await work(deps(t.plainStore));
    return t.stream.drain();
  };

  it('a partial PutEvents failure is retried for the failed entries only', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 1,
        Entries: [{ EventId: 'e1' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
      })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e2' }] });
    await seedItem(t.doc, t.tableName, 'F-PARTIAL', 5);
    const bookingId = randomUUID();
    const changes = await committed(async (d) => {
      await confirmBooking({ bookingId, correlationId: 'c', paymentId: 'p' }, d);
      await reserveBooking(
        { bookingId, items: [{ itemId: 'F-PARTIAL', quantity: 1 }], correlationId: 'c' },
        d,
      );
    });
    const result = await publishChanges(changes, publisher());
    expect(result.failedAt).toBeUndefined();
    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.args[0].input.Entries).toHaveLength(2);
    expect(calls[1]?.args[0].input.Entries).toHaveLength(1);
    expect(calls[1]?.args[0].input.Entries?.[0]).toEqual(calls[0]?.args[0].input.Entries?.[1]);
  });

  it('fails mid-batch: reports the first change it could not publish; delivering again from there publishes each event under one id', async () => {
    await seedItem(t.doc, t.tableName, 'F-MID', 50);
    const ids = Array.from({ length: 12 }, () => randomUUID());
    const changes = await committed(async (d) => {
      for (const bookingId of ids) {
        await reserveBooking({ bookingId, items: [{ itemId: 'F-MID', quantity: 1 }], correlationId: 'c' }, d);
      }
    });
    // The first PutEvents (10 entries) goes through, the second is refused whole.
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 0,
        Entries: Array.from({ length: 10 }, (_, i) => ({ EventId: `e${i}` })),
      })
      .resolves({
        FailedEntryCount: 2,
        Entries: [{ ErrorCode: 'ThrottlingException' }, { ErrorCode: 'ThrottlingException' }],
      });
    const first = await publishChanges(changes, publisher());
    expect(first.published).toBe(10);
    const at = changes.findIndex((c) => c.sequenceNumber === first.failedAt);
    expect(at).toBeGreaterThan(0);
    // The event source mapping delivers from the failed change on.
    eventBridge.reset();
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({
      FailedEntryCount: 0,
      Entries: input.Entries.map((_, i) => ({ EventId: `r${i}` })),
    }));
    const second = await publishChanges(changes.slice(at), publisher());
    expect(second.failedAt).toBeUndefined();
    const put = eventBridge
      .commandCalls(PutEventsCommand)
      .flatMap((c) => c.args[0].input.Entries ?? [])
      .map((e) => JSON.parse(e.Detail ?? '{}').metadata.eventId as string);
    const { eventIdFor } = await import('../../../shared/domain/event-ids.ts');
    expect(new Set([...put]).size).toBe(put.length);
    expect(put.every((id) => ids.some((b) => eventIdFor(b, 'RESERVED') === id))).toBe(true);
  });

  it('a poison change is reported (left to the on-failure destination) and the changes before it are published', async () => {
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({
      FailedEntryCount: 0,
      Entries: input.Entries.map((_, i) => ({ EventId: `e${i}` })),
    }));
    await seedItem(t.doc, t.tableName, 'F-POISON', 5);
    const changes = await committed((d) =>
      reserveBooking(
        { bookingId: randomUUID(), items: [{ itemId: 'F-POISON', quantity: 1 }], correlationId: 'c' },
        d,
      ),
    );
    const poison = {
      sequenceNumber: 'poison-1',
      newImage: {
        entity: 'RESERVATION',
        version: 9,
        bookingId: 'x',
        items: [],
        answers: [{ type: 'Nonsense' }],
      },
    };
    const result = await publishChanges([...changes, poison], publisher());
    expect(result).toMatchObject({ published: 1, failedAt: 'poison-1' });
  });

  it('a crash after the commit still publishes: the stream has the change; the redelivery replays, state counted once', async () => {
    await seedItem(t.doc, t.tableName, 'F-CRASH', 5);
    const client = localClient(t.endpoint);
    let crash = true;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (context.commandName === 'TransactWriteItemsCommand' && crash) {
          crash = false;
          throw new Error('the function died after the commit');
        }
        return result;
      },
      { step: 'initialize', name: 'crashAfterCommit' },
    );
    const { streamedStore } = await import('../../support/stream.ts');
    const store = streamedStore(
      new DynamoDbInventoryStore({ client: createDocumentClient(client), tableName: t.tableName }),
      t.stream,
      t.projector,
    );
    const bus = new RecordingPublisher();
    const d = deps(store, { publisher: bus });
    const bookingId = randomUUID();
    const input = { bookingId, items: [{ itemId: 'F-CRASH', quantity: 2 }], correlationId: 'c' };
    await expect(reserveBooking(input, d)).rejects.toThrow('died after the commit');
    // The redelivered message finds the reservation and does not reserve again.
    await reserveBooking(input, d);
    expect(await t.store.getItem('F-CRASH')).toMatchObject({ availableQuantity: 3, reservedQuantity: 2 });
    const { eventIdFor } = await import('../../../shared/domain/event-ids.ts');
    const ours = bus.published.filter((e) => e.detail.data.bookingId === bookingId);
    expect(ours.map((e) => e.detail.metadata.eventId)).toEqual([eventIdFor(bookingId, 'RESERVED')]);
    expect(invariantHolds((await t.store.getItem('F-CRASH'))!)).toBe(true);
  });
});
