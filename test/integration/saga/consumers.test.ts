import { randomUUID } from 'node:crypto';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumedEvents } from '../../../events/index.ts';
import { samplesOf } from '../../../events/samples/index.ts';
import { ManualClock } from '../../../shared/adapters/clock.ts';
import { createConsumer } from '../../../shared/consumers/consumer.ts';
import {
  onBookingCancelled,
  onBookingCreated,
  onPaymentFailed,
  onPaymentSucceeded,
} from '../../../shared/consumers/saga-handlers.ts';
import { createTestTables, seedItem, type TestTables } from '../../support/dynamo.ts';
import { RecordingPublisher, silentLog } from '../../support/fakes.ts';
import { lambdaContext } from '../../support/http.ts';
import { sampleFor, sqsBatch } from '../../support/saga.ts';

let t: TestTables;
let publisher: RecordingPublisher;
let consumers: Record<string, ReturnType<typeof createConsumer>>;

beforeAll(async () => {
  t = await createTestTables('consumers');
  publisher = new RecordingPublisher();
  // What the functions commit reaches the bus through the table's stream.
  t.store.publishTo(publisher);
  const deps = {
    store: t.store,
    publisher,
    clock: new ManualClock(new Date()),
    log: silentLog,
    defaultTtlSeconds: 900,
  };
  // One persistence layer per consumer, as each function has its own: a Powertools
  // persistence layer keeps the first configuration (idempotency key) it is given.
  const common = {
    get persistenceStore() {
      return new DynamoDBPersistenceLayer({ tableName: t.idempotencyTableName, awsSdkV3Client: t.client });
    },
    idempotencyExpirySeconds: 86_400,
  };
  consumers = {
    BookingCreated: createConsumer({
      ...common,
      contract: consumedEvents.BookingCreated,
      handle: (e) => onBookingCreated(e as never, deps),
    }),
    PaymentSucceeded: createConsumer({
      ...common,
      contract: consumedEvents.PaymentSucceeded,
      handle: (e) => onPaymentSucceeded(e as never, deps),
    }),
    PaymentFailed: createConsumer({
      ...common,
      contract: consumedEvents.PaymentFailed,
      handle: (e) => onPaymentFailed(e as never, deps),
    }),
    BookingCancelled: createConsumer({
      ...common,
      contract: consumedEvents.BookingCancelled,
      handle: (e) => onBookingCancelled(e as never, deps),
    }),
  };
  for (const itemId of ['ROOM-101', 'ROOM-102']) await seedItem(t.doc, t.tableName, itemId, 1000);
});
afterAll(async () => {
  await t.drop();
});

describe('consumers fed the producers’ sample events (consumer contract)', () => {
  it.each(['BookingCreated', 'PaymentSucceeded', 'PaymentFailed', 'BookingCancelled'])(
    '%s sample is accepted',
    async (type) => {
      const samples = samplesOf(type);
      expect(samples.length).toBeGreaterThan(0);
      const consumer = consumers[type];
      const response = await consumer!(
        sqsBatch(
          samples.map((s) => ({
            ...s,
            detail: { ...s.detail, data: { ...s.detail.data, bookingId: randomUUID() } },
          })),
        ),
        lambdaContext(),
      );
      expect(response.batchItemFailures).toEqual([]);
    },
  );
});

describe('SQS batch behaviour', () => {
  it('a malformed message fails alone; the rest of the batch is processed', async () => {
    const good = sampleFor('BookingCreated', randomUUID(), [{ itemId: 'ROOM-101', quantity: 1 }]);
    const badUuid = sampleFor('BookingCreated', 'not-a-uuid', [{ itemId: 'ROOM-101', quantity: 1 }]);
    const wrongType = sampleFor('PaymentFailed', randomUUID());
    const batch = sqsBatch([good.eventBridge, '{"truncated": ', badUuid.eventBridge, wrongType.eventBridge]);
    const response = await consumers.BookingCreated!(batch, lambdaContext());
    const failed = response.batchItemFailures.map((f) => f.itemIdentifier);
    expect(failed.sort()).toEqual(
      [batch.Records[1]!.messageId, batch.Records[2]!.messageId, batch.Records[3]!.messageId].sort(),
    );
    const { reservation } = await t.store.getBooking(good.incoming.data.bookingId);
    expect(reservation?.status).toBe('RESERVED');
  });

  it('a duplicate delivery is applied once, and outgoing events carry correlation and causation', async () => {
    const bookingId = randomUUID();
    const created = sampleFor('BookingCreated', bookingId, [{ itemId: 'ROOM-102', quantity: 2 }]);
    const before = await t.store.getItem('ROOM-102');
    await consumers.BookingCreated!(sqsBatch([created.eventBridge, created.eventBridge]), lambdaContext());
    await consumers.BookingCreated!(sqsBatch([created.eventBridge]), lambdaContext());
    const after = await t.store.getItem('ROOM-102');
    expect(after!.reservedQuantity - before!.reservedQuantity).toBe(2);
    const reserved = publisher.published.filter(
      (e) => e.detailType === 'InventoryReserved' && e.detail.data.bookingId === bookingId,
    );
    expect(new Set(reserved.map((e) => e.detail.metadata.eventId)).size).toBe(1);
    expect(reserved[0]?.detail.metadata).toMatchObject({
      correlationId: created.incoming.metadata.correlationId,
      causationId: created.incoming.metadata.eventId,
    });
  });

  it('a refusal (no stock) is acknowledged, not retried, and published as InventoryReservationFailed', async () => {
    const bookingId = randomUUID();
    const created = sampleFor('BookingCreated', bookingId, [{ itemId: 'ROOM-101', quantity: 5000 }]);
    const response = await consumers.BookingCreated!(sqsBatch([created.eventBridge]), lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    const failed = publisher.published.find(
      (e) => e.detailType === 'InventoryReservationFailed' && e.detail.data.bookingId === bookingId,
    );
    expect(failed?.detail.data).toMatchObject({
      reason: 'INSUFFICIENT_INVENTORY',
      items: [{ itemId: 'ROOM-101', requested: 5000 }],
    });
  });
});

describe('acknowledge or retry, decided in the consumer', () => {
  it('a batch made only of bad messages is reported item by item, not thrown as a failed invocation', async () => {
    const batch = sqsBatch(['{"truncated": ', '{}', 'null']);
    const response = await consumers.BookingCreated!(batch, lambdaContext());
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      batch.Records.map((r) => r.messageId).sort(),
    );
  });

  it('a second payment (another paymentId) of a booking passes the idempotency layer and is answered', async () => {
    const bookingId = randomUUID();
    await consumers.BookingCreated!(
      sqsBatch([sampleFor('BookingCreated', bookingId, [{ itemId: 'ROOM-101', quantity: 1 }]).eventBridge]),
      lambdaContext(),
    );
    for (const paymentId of ['pay-a', 'pay-b']) {
      const paid = sampleFor('PaymentSucceeded', bookingId);
      (paid.eventBridge.detail as { data: Record<string, unknown> }).data.paymentId = paymentId;
      const response = await consumers.PaymentSucceeded!(sqsBatch([paid.eventBridge]), lambdaContext());
      expect(response.batchItemFailures).toEqual([]);
    }
    const answers = publisher.published
      .filter((e) => e.detail.data.bookingId === bookingId && e.detailType.startsWith('InventoryConfirm'))
      .map((e) => `${e.detailType}:${e.detail.data.paymentId}:${e.detail.data.reason ?? ''}`);
    expect(answers).toEqual([
      'InventoryConfirmed:pay-a:',
      'InventoryConfirmationFailed:pay-b:DUPLICATE_PAYMENT',
    ]);
  });

  it('records processed in parallel log under their own booking, correlation and event ids', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const write = process.stdout.write.bind(process.stdout);
    const { logger } = await import('../../../shared/observability.ts');
    logger.setLogLevel('INFO');
    process.stdout.write = ((chunk: string | Uint8Array) => {
      for (const line of String(chunk).split('\n')) {
        if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      return true;
    }) as typeof process.stdout.write;
    const created = Array.from({ length: 6 }, () =>
      sampleFor('BookingCreated', randomUUID(), [{ itemId: 'ROOM-102', quantity: 1 }]),
    );
    try {
      await consumers.BookingCreated!(sqsBatch(created.map((c) => c.eventBridge)), lambdaContext());
    } finally {
      process.stdout.write = write;
      logger.setLogLevel('SILENT');
    }
    const processed = lines.filter((l) => l.message === 'Event processed');
    expect(processed).toHaveLength(6);
    for (const c of created) {
      const mine = processed.filter((l) => l.eventId === c.incoming.metadata.eventId);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({
        bookingId: c.incoming.data.bookingId,
        correlationId: c.incoming.metadata.correlationId,
      });
    }
  });
});
