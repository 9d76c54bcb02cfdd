import { ConcurrentModificationError } from '../errors.ts';
import type { Reservation } from '../model.ts';
import { inventoryReleased } from '../outgoing-events.ts';
import type { Dependencies, OutgoingEvent } from '../ports.ts';
import { quantityMovement } from '../reservation-rules.ts';
import { isoNow, publishCommitted } from './shared.ts';

export interface ExpireInput {
  /** At most this many reservations are expired in one call (bounded work per run). */
  limit: number;
  /** Only holds on these items (the reserve path reclaiming stock); all when absent. */
  itemIds?: readonly string[];
}

export interface ExpireResult {
  examined: number;
  expired: number;
  /** Holds that changed under us (confirmed or released meanwhile) and were left alone. */
  skipped: number;
}

/**
 * Expires holds whose time is up.
 *
 * 1. Find RESERVED reservations with `expiresAt <= now` through the sharded due index.
 * 2. For each, one transaction conditioned on status RESERVED and the version read: the
 *    units go back to available and the reservation becomes EXPIRED, so a concurrent
 *    confirmation either wins (and the expiry is skipped) or loses; never both.
 * 3. Publish InventoryReleased with reason EXPIRED.
 * The work per call is bounded; what is left stays in the index for the next run.
 */
export async function expireDueReservations(input: ExpireInput, deps: Dependencies): Promise<ExpireResult> {
  const now = isoNow(deps);
  const due = await deps.store.findDueReservations(
    now,
    input.itemIds ? Math.max(input.limit, 100) : input.limit,
  );
  const wanted = input.itemIds ? new Set(input.itemIds) : undefined;
  const candidates = (wanted ? due.filter((r) => r.items.some((l) => wanted.has(l.itemId))) : due).slice(
    0,
    input.limit,
  );
  let expired = 0;
  let skipped = 0;
  const published: OutgoingEvent[] = [];
  for (const reservation of candidates) {
    try {
      published.push(...(await expireOne(reservation, now, deps)));
      expired++;
    } catch (error) {
      if (!(error instanceof ConcurrentModificationError)) throw error;
      skipped++;
    }
  }
  await publishCommitted(deps, published);
  return { examined: candidates.length, expired, skipped };
}

async function expireOne(
  reservation: Reservation,
  now: string,
  deps: Dependencies,
): Promise<OutgoingEvent[]> {
  const next: Reservation = {
    ...reservation,
    status: 'EXPIRED',
    releasedAt: now,
    releaseReason: 'EXPIRED',
    version: reservation.version + 1,
  };
  const events = [inventoryReleased(next, 'RESERVED', { correlationId: reservation.correlationId }, now)];
  const movement = quantityMovement('RESERVED', 'EXPIRED');
  await deps.store.writeReservation({
    expected: { kind: 'state', status: 'RESERVED', version: reservation.version },
    next,
    movements: next.items.map(({ itemId, quantity }) => ({ itemId, quantity, ...movement })),
    movementType: 'EXPIRE',
    events,
    now,
  });
  return events;
}

/**
 * Publishes outbox entries left behind by a crash between commit and publish, or by a
 * failed publish. Ids are deterministic, so a second publish is a duplicate downstream
 * can drop.
 */
export async function relayOutbox(
  input: { limit: number },
  deps: Dependencies,
): Promise<{ relayed: number }> {
  const due = await deps.store.findDueOutbox(isoNow(deps), input.limit);
  if (due.length === 0) return { relayed: 0 };
  await deps.publisher.publish(due);
  await deps.store.markPublished(due.map((e) => e.detail.metadata.eventId));
  return { relayed: due.length };
}
