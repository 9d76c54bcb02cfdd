import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { eventsOfItem, eventsOfRecord } from '../domain/outgoing-events.ts';
import type { EventPublisher, LogPort, OutgoingEvent } from '../domain/ports.ts';
import { toReservation, toStoredItem } from './dynamodb-store.ts';

/**
 * The table's change stream as the outbox: every committed booking decision and every
 * administrative stock change carries what its events need, so the events are built from
 * the stream's images alone, with their stable ids. A re-read of the stream (a retry, a
 * redrive) builds the same events again.
 */

/** One stream record: its sequence number and the row before and after (unmarshalled). */
export interface ChangeRecord {
  sequenceNumber: string;
  oldImage?: Record<string, unknown>;
  newImage?: Record<string, unknown>;
}

/** Unmarshals a stream record's images (the Lambda event's or the Streams API's shape). */
export function changeRecordOf(record: {
  dynamodb?: {
    SequenceNumber?: string;
    OldImage?: Record<string, AttributeValue> | Record<string, unknown>;
    NewImage?: Record<string, AttributeValue> | Record<string, unknown>;
  };
}): ChangeRecord {
  const d = record.dynamodb ?? {};
  return {
    sequenceNumber: d.SequenceNumber ?? '',
    ...(d.OldImage ? { oldImage: unmarshall(restoreEmptyMaps(d.OldImage)) } : {}),
    ...(d.NewImage ? { newImage: unmarshall(restoreEmptyMaps(d.NewImage)) } : {}),
  };
}

/**
 * The Streams SDK client deserializes an empty map attribute (`{ "M": {} }`) as `{}`, which
 * `unmarshall` refuses; the Lambda event keeps it. Puts the empty maps back.
 */
function restoreEmptyMaps(image: Record<string, unknown>): Record<string, AttributeValue> {
  const fix = (value: unknown): unknown => {
    if (!value || typeof value !== 'object') return value;
    const v = value as Record<string, unknown>;
    if (Object.keys(v).length === 0) return { M: {} };
    if (v.M && typeof v.M === 'object') {
      return {
        M: Object.fromEntries(Object.entries(v.M as Record<string, unknown>).map(([k, x]) => [k, fix(x)])),
      };
    }
    if (Array.isArray(v.L)) return { L: v.L.map(fix) };
    return v;
  };
  return Object.fromEntries(Object.entries(image).map(([k, x]) => [k, fix(x)])) as Record<
    string,
    AttributeValue
  >;
}

/**
 * The events one change owes: a booking record's new version publishes its decision's
 * answers; an item's new version publishes `InventoryAdjusted` when an administrative
 * change produced it. Anything else (ledger, holds, deletions, a reserve's counter update)
 * owes no event.
 */
export function eventsOfChange(change: ChangeRecord): OutgoingEvent[] {
  const row = change.newImage;
  if (!row || row.version === change.oldImage?.version) return [];
  if (row.entity === 'RESERVATION') return eventsOfRecord(toReservation(row));
  if (row.entity === 'ITEM') return eventsOfItem(toStoredItem(row));
  return [];
}

/** A record whose events cannot be built: it is retried, then left to the on-failure destination. */
export class PoisonRecordError extends Error {
  override name = 'PoisonRecordError' as const;
}

/**
 * Publishes the events of a batch of changes in stream order, in PutEvents batches of ten.
 * It stops at the first change whose events could not all be put and returns its sequence
 * number: the event source mapping checkpoints before it and delivers it (and everything
 * after it) again, so the order per booking holds and nothing is skipped. Events already
 * put are put again then, with the same ids.
 */
export async function publishChanges(
  changes: readonly ChangeRecord[],
  publisher: EventPublisher,
  log?: LogPort,
): Promise<{ published: number; failedAt?: string }> {
  const pending: Array<{ event: OutgoingEvent; at: number }> = [];
  let buildFailedAt: number | undefined;
  for (const [at, change] of changes.entries()) {
    try {
      for (const event of eventsOfChange(change)) pending.push({ event, at });
    } catch (error) {
      log?.error('Change record cannot be turned into events', {
        sequenceNumber: change.sequenceNumber,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      buildFailedAt = at;
      break;
    }
  }
  let published = 0;
  for (let i = 0; i < pending.length; i += 10) {
    const chunk = pending.slice(i, i + 10);
    try {
      await publisher.publish(chunk.map((p) => p.event));
      published += chunk.length;
    } catch (error) {
      const failedIds = new Set(
        (error as { failed?: Array<{ eventId: string }> }).failed?.map((f) => f.eventId) ??
          chunk.map((p) => p.event.detail.metadata.eventId),
      );
      const first = chunk.find((p) => failedIds.has(p.event.detail.metadata.eventId)) ?? chunk[0];
      log?.warn('PutEvents failed; the stream delivers from this change again', {
        sequenceNumber: changes[first?.at ?? 0]?.sequenceNumber,
        error: error instanceof Error ? error.message : String(error),
      });
      const at = Math.min(first?.at ?? 0, buildFailedAt ?? Number.POSITIVE_INFINITY);
      return { published, failedAt: changes[at]?.sequenceNumber ?? '' };
    }
  }
  return buildFailedAt === undefined
    ? { published }
    : { published, failedAt: changes[buildFailedAt]?.sequenceNumber ?? '' };
}

/**
 * Writes what committed changes owe the table besides their events: a booking decision's
 * ledger rows and the hold rows (shared/adapters/dynamodb/projection.ts).
 */
export interface ChangeProjector {
  /**
   * Applies a batch's projection; `failedAt` is the index of the first change whose writes
   * are not known to be applied (the stream must deliver it and the rest again).
   */
  project(changes: readonly ChangeRecord[], log?: LogPort): Promise<{ projected: number; failedAt?: number }>;
}

/**
 * What the change-stream function does with a batch, in stream order: first the
 * projection (ledger and hold rows), then the events of the changes it covers. It returns
 * the first change not fully handled, for the event source mapping to retry from; both
 * steps are idempotent (the same rows, the same event ids), so handling a change again
 * changes nothing.
 */
export async function processChanges(
  changes: readonly ChangeRecord[],
  ports: { publisher: EventPublisher; projector: ChangeProjector },
  log?: LogPort,
): Promise<{ published: number; projected: number; failedAt?: string }> {
  const projection = await ports.projector.project(changes, log);
  const upTo = projection.failedAt ?? changes.length;
  const published = await publishChanges(changes.slice(0, upTo), ports.publisher, log);
  const failedAt = published.failedAt ?? changes[upTo]?.sequenceNumber;
  return {
    published: published.published,
    projected: projection.projected,
    ...(failedAt === undefined ? {} : { failedAt }),
  };
}
