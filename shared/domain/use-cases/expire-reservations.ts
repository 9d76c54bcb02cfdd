import type { Dependencies } from '../ports.ts';
import { applySagaInput } from './apply-saga-input.ts';
import { isoNow } from './shared.ts';

export interface ExpireInput {
  /** At most this many reservations are expired in one call (bounded work per run). */
  limit: number;
}

export interface ExpireResult {
  examined: number;
  expired: number;
  /** Holds that changed under us (confirmed or released meanwhile) and were left alone. */
  skipped: number;
  /** Holds that could not be expired (logged, counted, left for the next run). */
  failed: number;
}

/**
 * Expires holds whose time is up.
 *
 * 1. Find RESERVED reservations with `expiresAt <= now` through the sharded due index.
 * 2. For each, apply `HoldExpired` through the decision table: one transaction
 *    conditioned on the version read, so a concurrent confirmation either wins (and the
 *    expiry is skipped) or loses; never both. Its answer is `InventoryReleased` (EXPIRED).
 * 3. A hold that cannot be expired (e.g. counters that disagree on its item) is logged
 *    and skipped; the others are expired all the same.
 * The work per call is bounded; what is left stays in the index for the next run.
 */
export async function expireDueReservations(input: ExpireInput, deps: Dependencies): Promise<ExpireResult> {
  const due = await deps.store.findDueReservations(isoNow(deps), input.limit);
  const result: ExpireResult = { examined: due.length, expired: 0, skipped: 0, failed: 0 };
  for (const reservation of due) {
    try {
      const outcome = await applySagaInput(
        reservation.bookingId,
        { kind: 'HoldExpired' },
        { correlationId: reservation.correlationId },
        deps,
        reservation,
      );
      if (outcome.applied) result.expired++;
      else result.skipped++;
    } catch (error) {
      result.failed++;
      deps.log?.error('Could not expire a hold; skipped until the next run', {
        bookingId: reservation.bookingId,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
    }
  }
  return result;
}
