import { WAITLIST_OVERTAKE_SECONDS, WAITLIST_SERVE_SCAN } from '../limits.ts';
import type { Dependencies } from '../ports.ts';
import { applySagaInput } from './apply-saga-input.ts';
import { isoNow } from './shared.ts';

export interface ServeResult {
  /** Waitlist entries looked at. */
  examined: number;
  /** Bookings served (now RESERVED, or CONFIRMED when a payment waited). */
  served: number;
}

/** How deep a walk follows "someone ahead elsewhere could be served now" before it stops. */
const AHEAD_DEPTH = 3;

/**
 * Hands an item's freed units to its waitlist (the waitlist server calls it when the
 * item's row shows units available and bookings waiting, joining or leaving).
 *
 * 1. Read the item and the head of its waitlist (at most WAITLIST_SERVE_SCAN entries), in
 *    serving order: premium before standard, then first come, first served.
 * 2. Walk it while units are left: a booking whose line here fits is tried with
 *    `WaitlistServe` through the decision table, all its lines at once (a short line on
 *    another item keeps it waiting; nothing is written then).
 * 3. A booking that is not served is overtaken, unless it has waited
 *    WAITLIST_OVERTAKE_SECONDS: then the walk stops, and the units stay for it (new
 *    reserves of the item are short while bookings wait, see the store).
 * 4. Before a booking with lines on other items is served, the bookings ahead of it there
 *    come first: one that could be served now is served first (up to AHEAD_DEPTH levels of
 *    such bookings; deeper, the walk stops). One that has waited WAITLIST_OVERTAKE_SECONDS
 *    keeps the booking waiting (the units there are kept for it): it is passed over here
 *    like a booking that does not fit.
 * The cost follows the units freed and the bookings served: a walk stops when the item's
 * units are gone, at a booking that may no longer be overtaken, or after the scan bound.
 */
export async function serveWaitlist(itemId: string, deps: Dependencies): Promise<ServeResult> {
  const result: ServeResult = { examined: 0, served: 0 };
  const item = await deps.store.getItem(itemId);
  if (!item || (item.waitlistedQuantity ?? 0) <= 0 || item.availableQuantity <= 0) return result;
  const overtakeBefore = new Date(Date.parse(isoNow(deps)) - WAITLIST_OVERTAKE_SECONDS * 1000).toISOString();
  const walk = { overtakeBefore, deps, result };
  let left = item.availableQuantity;
  for (const entry of await deps.store.waitlistHead(itemId, WAITLIST_SERVE_SCAN)) {
    if (left <= 0) break;
    result.examined++;
    if (entry.quantity <= left) {
      const before = result.served;
      const outcome = await serveInOrder(entry.bookingId, itemId, walk, 0);
      if (outcome === 'served') {
        // Bookings served ahead of it elsewhere may have taken units here too: read again.
        left =
          result.served - before > 1
            ? ((await deps.store.getItem(itemId))?.availableQuantity ?? 0)
            : left - entry.quantity;
        continue;
      }
      if (outcome === 'blocked') break;
      if (outcome === 'gone') continue;
      // 'waiting' or 'held': not served now; overtaken unless it has waited long enough.
    }
    if (entry.since <= overtakeBefore) break;
  }
  return result;
}

interface Walk {
  overtakeBefore: string;
  deps: Dependencies;
  result: ServeResult;
}

/**
 * Serves one waiting booking after the bookings ahead of it on its other items: `served`,
 * `waiting` (a line does not fit), `gone` (not waiting any more), `held` (a booking ahead
 * of it elsewhere has waited the overtake window: those units are kept for that one) or
 * `blocked` (a booking ahead of it elsewhere could be served but was not, deeper than
 * AHEAD_DEPTH).
 */
async function serveInOrder(
  bookingId: string,
  walkedItemId: string | undefined,
  walk: Walk,
  depth: number,
): Promise<'served' | 'waiting' | 'gone' | 'held' | 'blocked'> {
  const { deps } = walk;
  const { reservation } = await deps.store.getBooking(bookingId);
  if (reservation?.status !== 'WAITLISTED') return 'gone';
  for (const line of reservation.items) {
    if (line.itemId === walkedItemId) continue;
    for (const ahead of await deps.store.waitlistHead(line.itemId, WAITLIST_SERVE_SCAN)) {
      if (ahead.bookingId === bookingId) break;
      if (ahead.since <= walk.overtakeBefore) return 'held';
      if (!(await fitsNow(ahead.bookingId, deps))) continue;
      if (depth >= AHEAD_DEPTH) return 'blocked';
      const first = await serveInOrder(ahead.bookingId, undefined, walk, depth + 1);
      if (first === 'blocked') return 'blocked';
      // A booking ahead that fits but is held (or lost its units meanwhile) is not in the way.
    }
  }
  // Decided on the record just read: the write is conditioned on its version (a change
  // meanwhile is read again and decided again), so it is not read a second time.
  const outcome = await applySagaInput(
    bookingId,
    { kind: 'WaitlistServe' },
    { correlationId: bookingId },
    deps,
    reservation,
  );
  if (outcome.applied && outcome.effect === 'serve') {
    walk.result.served++;
    return 'served';
  }
  return outcome.record?.status === 'WAITLISTED' ? 'waiting' : 'gone';
}

/** True when this waiting booking's lines are all available now. */
async function fitsNow(bookingId: string, deps: Dependencies): Promise<boolean> {
  const { reservation } = await deps.store.getBooking(bookingId);
  if (reservation?.status !== 'WAITLISTED') return false;
  const items = await deps.store.getItems(reservation.items.map((l) => l.itemId));
  return reservation.items.every((l) => (items.get(l.itemId)?.availableQuantity ?? 0) >= l.quantity);
}
