import { WAITLIST_OVERTAKE_SECONDS, WAITLIST_SERVE_SCAN } from '../limits.ts';
import type { Dependencies, WaitlistEntry } from '../ports.ts';
import { applySagaInput } from './apply-saga-input.ts';
import { isoNow } from './shared.ts';

export interface ServeResult {
  /** Waitlist entries looked at. */
  examined: number;
  /** Bookings served (now RESERVED, or CONFIRMED when a payment waited). */
  served: number;
}

/**
 * Hands an item's freed units to its waitlist (the waitlist server calls it when the
 * item's row shows units available and bookings waiting).
 *
 * 1. Read the item and the head of its waitlist (at most WAITLIST_SERVE_SCAN entries), in
 *    serving order: premium before standard, then first come, first served.
 * 2. Walk it while units are left: a booking whose line here fits is tried with
 *    `WaitlistServe` through the decision table, all its lines at once (a short line on
 *    another item keeps it waiting; nothing is written then).
 * 3. A booking that is not served is overtaken, unless it has waited
 *    WAITLIST_OVERTAKE_SECONDS: then the walk stops, and the units stay for it (new
 *    reserves of the item are short while bookings wait, see the store). A booking with
 *    lines on other items is not served either if, on one of those, such a long-waiting
 *    booking, or one that could be served now, is ahead of it: the walk stops there, and
 *    that item's walk (its change is on the stream) serves the one ahead first.
 * The cost follows the units freed and the bookings served: a walk stops when the item's
 * units are gone, at a booking that may no longer be overtaken, or after the scan bound.
 */
export async function serveWaitlist(itemId: string, deps: Dependencies): Promise<ServeResult> {
  const result: ServeResult = { examined: 0, served: 0 };
  const item = await deps.store.getItem(itemId);
  if (!item || (item.waitlistedQuantity ?? 0) <= 0) return result;
  let left = item.availableQuantity;
  if (left <= 0) return result;
  const now = isoNow(deps);
  const overtakeBefore = new Date(Date.parse(now) - WAITLIST_OVERTAKE_SECONDS * 1000).toISOString();
  for (const entry of await deps.store.waitlistHead(itemId, WAITLIST_SERVE_SCAN)) {
    if (left <= 0) break;
    result.examined++;
    if (entry.quantity <= left) {
      // Someone ahead of it on another of its items comes first: the walk stops here, so
      // nobody behind takes the units either (that item's walk serves the one ahead).
      if (await overtakesElsewhere(entry, itemId, overtakeBefore, deps)) break;
      const outcome = await applySagaInput(
        entry.bookingId,
        { kind: 'WaitlistServe' },
        { correlationId: entry.bookingId },
        deps,
      );
      if (outcome.applied && outcome.effect === 'serve') {
        result.served++;
        left -= entry.quantity;
        continue;
      }
      // Served or gone meanwhile (another item's server, a cancellation): not in the way.
      if (outcome.record?.status !== 'WAITLISTED') continue;
    }
    if (entry.since <= overtakeBefore) break;
  }
  return result;
}

/**
 * True when serving this booking would overtake, on another of its items, a booking ahead
 * of it there that has waited WAITLIST_OVERTAKE_SECONDS or that could be served now (all
 * its lines fit). Reads those items' heads (at most WAITLIST_SERVE_SCAN entries each) and
 * the bookings ahead: the cost follows the served booking's lines and who is ahead of it.
 */
async function overtakesElsewhere(
  entry: WaitlistEntry,
  servingItemId: string,
  overtakeBefore: string,
  deps: Dependencies,
): Promise<boolean> {
  const { reservation } = await deps.store.getBooking(entry.bookingId);
  if (!reservation || reservation.status !== 'WAITLISTED') return false;
  for (const line of reservation.items) {
    if (line.itemId === servingItemId) continue;
    for (const ahead of await deps.store.waitlistHead(line.itemId, WAITLIST_SERVE_SCAN)) {
      if (ahead.bookingId === entry.bookingId) break;
      if (ahead.since <= overtakeBefore || (await fitsNow(ahead.bookingId, deps))) return true;
    }
  }
  return false;
}

/** True when this waiting booking's lines are all available now. */
async function fitsNow(bookingId: string, deps: Dependencies): Promise<boolean> {
  const { reservation } = await deps.store.getBooking(bookingId);
  if (!reservation || reservation.status !== 'WAITLISTED') return false;
  const items = await deps.store.getItems(reservation.items.map((l) => l.itemId));
  return reservation.items.every((l) => (items.get(l.itemId)?.availableQuantity ?? 0) >= l.quantity);
}
