/**
 * How long the service keeps what it has finished with, and the delivery windows that
 * decide it. One place: the CDK queues and rules, the store's TTL and the docs read these.
 *
 * A finished reservation (RELEASED, EXPIRED, CONFIRMED and paid for), a tombstone of a
 * cancellation that arrived first, and a recorded decision are what make a late
 * redelivery harmless: a `BookingCreated` for a cancelled booking finds the tombstone and
 * reserves nothing; a redelivered `PaymentSucceeded` replays its recorded answer. They
 * may only vanish once no copy of any event about that booking can still arrive.
 */

const HOUR = 3600;
const DAY = 24 * HOUR;

/** EventBridge retries delivery to a rule's target for at most this long (the rules' `maxEventAge`). */
export const EVENT_MAX_AGE_SECONDS = DAY;

/** A consumer queue keeps a message this long (SQS default 4 days) before it is lost. */
export const QUEUE_RETENTION_SECONDS = 4 * DAY;

/**
 * Every dead-letter queue (SQS redrive DLQs, EventBridge target DLQs, schedule DLQs) keeps a
 * message 14 days, the SQS maximum. For standard queues a message moved to its redrive DLQ
 * keeps its original enqueue time; a redrive back to the source (StartMessageMoveTask or
 * `npm run dlq`) makes it a new message whose retention starts again.
 */
export const DLQ_RETENTION_SECONDS = 14 * DAY;

/** Powertools idempotency records live 25 h: longer than EventBridge's 24 h of retries. */
export const IDEMPOTENCY_EXPIRY_SECONDS = 25 * HOUR;

/**
 * The longest an event about a booking can still reach a consumer after it was put on
 * the bus, with one operator redrive per dead-letter queue on its path:
 * EventBridge retries (1 d) → target DLQ (14 d) → redriven into the consumer queue,
 * fails 5 receives → redrive DLQ (14 d from that enqueue) → redriven again and read
 * within the queue's retention (4 d) = 33 days. A message older than that has been
 * deleted by SQS itself; a third manual redrive of the same message is out of contract
 * (docs/runbook.md says not to redrive messages older than the retention below).
 */
export const LATEST_DELIVERY_SECONDS =
  EVENT_MAX_AGE_SECONDS + DLQ_RETENTION_SECONDS + DLQ_RETENTION_SECONDS + QUEUE_RETENTION_SECONDS;

/**
 * Finished reservations, tombstones and recorded decisions expire this long after they
 * were finished: the latest delivery (33 d) plus a week for an operator to notice and
 * act on a DLQ alarm, so 40 days. Much longer than the idempotency layer's 25 h, which
 * the use cases do not rely on. Rows still in play (RESERVED holds, items) never get a TTL.
 */
export const FINISHED_ROW_RETENTION_SECONDS = LATEST_DELIVERY_SECONDS + 7 * DAY;

/**
 * The TTL attribute of the inventory table (epoch seconds, as DynamoDB TTL requires).
 * DynamoDB deletes an expired row within a few days of its TTL, so readers must not
 * count on the exact moment; only its absence before the TTL is guaranteed.
 */
export const TTL_ATTRIBUTE = 'ttl';

/** The TTL value of a row finished at `finishedAt` (ISO 8601). */
export function expiresAt(finishedAt: string): number {
  return Math.floor(Date.parse(finishedAt) / 1000) + FINISHED_ROW_RETENTION_SECONDS;
}

/**
 * Item rows and stock-ledger rows (`MOVE#…`) never get a TTL. Items are live state. The
 * ledger is the stock audit trail and the reconciler's source of truth: a per-item
 * checkpoint summarises every ledger row up to a position, so audits read only what
 * came after it, and a ledger row must never vanish before a checkpoint has passed it.
 * Keeping ledger rows costs storage only (about 300 bytes each), no audit reads them
 * again; if they ever get a TTL, it must exceed the longest a checkpoint may lag: the
 * settle window plus the reconciler's period plus however long the reconciler may fail
 * unnoticed (its errors and its schedule's DLQ are alarmed).
 */
export const LEDGER_ROWS_EXPIRE = false;

/**
 * A checkpoint only passes ledger rows older than this. A ledger row's key carries the
 * time its writer decided (before the transaction commits and before conflict retries),
 * so a row can commit after a newer-keyed one; 15 minutes is three times the longest
 * function timeout (5 min) that writes ledger rows, after which no older-keyed row can
 * still appear.
 */
export const CHECKPOINT_SETTLE_SECONDS = 15 * 60;
