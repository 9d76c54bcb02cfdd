/**
 * Bench only, never deployed: the reservations function as the replaced design answered a
 * reserve, rebuilt from today's code for the HTTP stage's "before" figure. The same
 * composition as `functions/reservations.ts`, with the store wrapped so that each committed
 * booking decision is, before the answer, published (PutEvents of the decision's events, the
 * publisher's own code) and its outbox row marked published (one UpdateItem per event), as
 * the publish-after-commit path did. The replaced design also put the outbox rows in the
 * commit's transaction; that write is not rebuilt, so the "before" figure is if anything low.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../shared/adapters/aws-clients.ts';
import { domainDependencies, eventPublisher } from '../shared/composition.ts';
import { tableName } from '../shared/config.ts';
import { eventsOfRecord } from '../shared/domain/outgoing-events.ts';
import type { InventoryStore } from '../shared/domain/ports.ts';
import { tokenVerifier } from '../shared/http/auth.ts';
import { IDEMPOTENCY_ERRORS } from '../shared/http/idempotency-errors.ts';
import { createHttpHandler } from '../shared/http/middleware.ts';
import { reservationRoutes } from '../shared/http/routes.ts';
import { idempotencyStore } from '../shared/idempotency-composition.ts';

const dynamo = new DynamoDBClient({});
const deps = domainDependencies(dynamo);
const publisher = eventPublisher();
const documents = createDocumentClient(dynamo);
const table = tableName();
const { store } = deps;

/** The store, publishing after each committed booking decision like the replaced design. */
const publishingStore: InventoryStore = {
  getItem: (itemId) => store.getItem(itemId),
  getItems: (itemIds) => store.getItems(itemIds),
  listItems: (page) => store.listItems(page),
  getBooking: (bookingId) => store.getBooking(bookingId),
  createItem: (item, reason) => store.createItem(item, reason),
  changeStock: (change) => store.changeStock(change),
  findDueReservations: (now, limit) => store.findDueReservations(now, limit),
  findDueHolds: (itemIds, now, limit) => store.findDueHolds(itemIds, now, limit),
  dropHold: (hold) => store.dropHold(hold),
  waitlistHead: (itemId, limit) => store.waitlistHead(itemId, limit),
  waitlistPositions: (record) => store.waitlistPositions(record),
  async writeReservation(write) {
    await store.writeReservation(write);
    const events = eventsOfRecord(write.next);
    if (events.length === 0) return;
    await publisher.publish(events);
    for (const event of events) {
      await documents.send(
        new UpdateCommand({
          TableName: table,
          Key: { pk: `OUTBOX#${event.detail.metadata.eventId}`, sk: 'OUTBOX' },
          UpdateExpression: 'SET publishedAt = :now',
          ExpressionAttributeValues: { ':now': write.now },
        }),
      );
    }
  },
};

export const handler = createHttpHandler(
  reservationRoutes({
    ...deps,
    store: publishingStore,
    createPersistenceStore: () => idempotencyStore(dynamo),
  }),
  { verifyToken: tokenVerifier(), errors: IDEMPOTENCY_ERRORS },
);
