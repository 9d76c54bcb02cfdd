import type { Dependencies } from '../domain/ports.ts';
import { type ServeResult, serveWaitlist } from '../domain/use-cases/serve-waitlist.ts';
import type { ChangeRecord } from './change-stream.ts';

/**
 * The item changes after which an item's waitlist may be served: bookings wait on it, units
 * are available, and either units came back (release, expiry, cancellation, payment
 * failure, replenishment), a waitlisted booking left (it may have been the one the units
 * were kept for) or one joined (units the bookings ahead of it cannot use may serve it). A
 * reserve that only took units serves nobody.
 */
export function itemsToServe(changes: readonly ChangeRecord[]): { itemId: string; sequenceNumber: string }[] {
  const found = new Map<string, string>();
  for (const change of changes) {
    const now = change.newImage;
    if (now?.entity !== 'ITEM') continue;
    const waiting = Number(now.waitlistedQuantity ?? 0);
    const available = Number(now.availableQuantity ?? 0);
    if (waiting <= 0 || available <= 0) continue;
    const before = change.oldImage;
    const freed =
      !before ||
      available > Number(before.availableQuantity ?? 0) ||
      waiting !== Number(before.waitlistedQuantity ?? 0);
    const itemId = String(now.itemId);
    // The first change of an item is where a retry must start from.
    if (freed && !found.has(itemId)) found.set(itemId, change.sequenceNumber);
  }
  return [...found].map(([itemId, sequenceNumber]) => ({ itemId, sequenceNumber }));
}

/**
 * Serves the waitlists a batch of changes calls for. Returns the sequence number to retry
 * from (the first change of the first item that failed), so the event source mapping
 * delivers it again; serving twice is harmless (every serve is a conditional decision).
 */
export async function serveChangedItems(
  changes: readonly ChangeRecord[],
  deps: Dependencies,
): Promise<{ served: number; failedAt?: string }> {
  let served = 0;
  let failedAt: string | undefined;
  for (const { itemId, sequenceNumber } of itemsToServe(changes)) {
    try {
      const result: ServeResult = await serveWaitlist(itemId, deps);
      served += result.served;
    } catch (error) {
      deps.log?.error('Could not serve a waitlist; the stream delivers the change again', {
        itemId,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      if (failedAt === undefined || sequenceNumber < failedAt) failedAt = sequenceNumber;
    }
  }
  return { served, ...(failedAt !== undefined ? { failedAt } : {}) };
}
