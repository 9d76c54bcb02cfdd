import { randomUUID } from 'node:crypto';
import {
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../shared/adapters/aws-clients.ts';
import { ManualClock } from '../../../shared/adapters/clock.ts';
import { DynamoDbInventoryStore } from '../../../shared/adapters/dynamodb-store.ts';
import { EventBridgePublisher } from '../../../shared/adapters/eventbridge-publisher.ts';
import { confirmBooking, relayOutbox, reserveBooking } from '../../../shared/domain/use-cases/index.ts';
import {
  createTestTables,
  invariantHolds,
  localClient,
  seedItem,
  type TestTables,
} from '../../support/dynamo.ts';
import { deps, RecordingPublisher, silentLog } from '../../support/fakes.ts';

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

describe('EventBridge', () => {
  const eventBridge = mockClient(EventBridgeClient);
  beforeEach(() => eventBridge.reset());

  it('a partial PutEvents failure is retried for the failed entries only', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 1,
        Entries: [{ EventId: 'e1' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
      })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e2' }] });
    const publisher = new EventBridgePublisher({
      client: new EventBridgeClient({ region: 'us-east-1' }),
      eventBusName: 'bus',
      retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
    });
    await seedItem(t.doc, t.tableName, 'F-PARTIAL', 5);
    const bookingId = randomUUID();
    const d = { store: t.store, publisher, clock: new ManualClock(new Date()), log: silentLog };
    await confirmBooking({ bookingId, correlationId: 'c' }, d);
    await reserveBooking({ bookingId, items: [{ itemId: 'F-PARTIAL', quantity: 1 }], correlationId: 'c' }, d);
    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.args[0].input.Entries).toHaveLength(2);
    expect(calls[1]?.args[0].input.Entries).toHaveLength(1);
    expect(calls[1]?.args[0].input.Entries?.[0]).toEqual(calls[0]?.args[0].input.Entries?.[1]);
  });

  it('a crash between commit and publish: the outbox relay publishes later with the same ids, state counted once', async () => {
    await seedItem(t.doc, t.tableName, 'F-CRASH', 5);
    const clock = new ManualClock(new Date());
    const crashing = new RecordingPublisher();
    crashing.failNext = 1; // the publish right after the commit "dies"
    const bookingId = randomUUID();
    const input = { bookingId, items: [{ itemId: 'F-CRASH', quantity: 2 }], correlationId: 'c' };
    await reserveBooking(input, { store: t.store, publisher: crashing, clock, log: silentLog });
    expect(crashing.published).toHaveLength(0);
    // The redelivered message finds the reservation and does not reserve again.
    await reserveBooking(input, { store: t.store, publisher: crashing, clock, log: silentLog });
    expect(await t.store.getItem('F-CRASH')).toMatchObject({ availableQuantity: 3, reservedQuantity: 2 });
    // A minute later the sweeper relays the outbox.
    clock.advance(61_000);
    const relay = new RecordingPublisher();
    const relayed = await relayOutbox(
      { limit: 100 },
      { store: t.store, publisher: relay, clock, log: silentLog },
    );
    const ours = relay.published.filter((e) => e.detail.data.bookingId === bookingId);
    expect(relayed.relayed).toBeGreaterThanOrEqual(1);
    expect(ours.map((e) => e.detailType)).toEqual(['InventoryReserved']);
    const { eventIdFor } = await import('../../../shared/domain/event-ids.ts');
    expect(ours[0]?.detail.metadata.eventId).toBe(eventIdFor(bookingId, 'RESERVED'));
    // Once relayed, the outbox is empty for it.
    const again = new RecordingPublisher();
    await relayOutbox({ limit: 100 }, { store: t.store, publisher: again, clock, log: silentLog });
    expect(again.published.filter((e) => e.detail.data.bookingId === bookingId)).toEqual([]);
    expect(invariantHolds((await t.store.getItem('F-CRASH'))!)).toBe(true);
  });
});
