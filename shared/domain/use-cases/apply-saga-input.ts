import { type Decision, decide, type Effect, type SagaInput, type WriteDecision } from '../decisions.ts';
import {
  ConcurrentModificationError,
  type DomainError,
  InsufficientInventoryError,
  ItemNotFoundError,
} from '../errors.ts';
import { canonicalBookingId } from '../limits.ts';
import type { Reservation } from '../model.ts';
import type { Causation, Dependencies } from '../ports.ts';
import { isoNow, MAX_DECISION_ATTEMPTS } from './shared.ts';

/** What applying one input did. */
export interface SagaOutcome {
  /** The table's effect, or `replay` / `ignore` when nothing was written. */
  effect: Effect;
  /** True when this call wrote a decision (and published its answers). */
  applied: boolean;
  /** The booking's record after the call, if it has one. */
  record?: Reservation;
  /** The refusal this input got (recorded, or only answered to the caller). */
  refusal?: DomainError;
}

/** How many due holds per short item one reclaim expires at most. */
export const RECLAIM_LIMIT_PER_ITEM = 25;

/**
 * Applies one saga input to one booking: the decision table executed against the store.
 *
 * 1. Read the booking's record (strongly consistent), or take the one the caller just read
 *    (or, for a new booking, assume there is none: the write's condition checks it).
 * 2. Decide with the table (`decide`): a replay or nothing-to-do writes nothing.
 * 3. Otherwise write the decision in one conditional transaction (the record with its
 *    answers, stock moves, ledger, holds); the table's change stream publishes the answers.
 * 4. A lost race (the record changed) reads and decides again.
 * 5. Too little stock: reclaim the due holds on the short items (cost follows what is due
 *    there) and decide again; if still short, write the decision's refusal instead.
 * Errors other than lost races and shortage are thrown: the caller retries (consumers
 * leave the message for redelivery), never acknowledges.
 */
export async function applySagaInput(
  bookingIdAsGiven: string,
  input: SagaInput,
  causation: Causation,
  deps: Dependencies,
  known?: Reservation | 'absent',
): Promise<SagaOutcome> {
  const bookingId = canonicalBookingId(bookingIdAsGiven);
  let reclaimed = false;
  // `absent`: decide first as if the booking had no record and write on that condition (one
  // round trip for a new booking); the write refuses if a record exists, and then it is read.
  let record = known === 'absent' ? undefined : known;
  let fresh = known !== undefined;
  for (let attempt = 1; ; attempt++) {
    if (!fresh) record = (await deps.store.getBooking(bookingId)).reservation;
    fresh = false;
    const decision = decide(record, input, { bookingId, now: isoNow(deps), causation });
    if (decision.kind !== 'write') return outcomeOf(decision);
    try {
      return await commit(decision, deps);
    } catch (error) {
      if (error instanceof ConcurrentModificationError && attempt < MAX_DECISION_ATTEMPTS) continue;
      if (!decision.onShortage || !isShortage(error)) throw error;
      if (error instanceof InsufficientInventoryError && !reclaimed) {
        reclaimed = true;
        // Only items with units on hold can have expired holds to reclaim.
        const held = error.shortfalls
          .map((s) => s.itemId)
          .filter((itemId) => (error.heldByItem?.get(itemId) ?? 1) > 0);
        const freed = held.length > 0 ? await reclaimDueHolds(held, deps) : 0;
        if (freed > 0) continue;
      }
      const fallback = decision.onShortage(error);
      if (fallback.kind !== 'write') return outcomeOf(fallback);
      try {
        return await commit(fallback, deps);
      } catch (again) {
        if (again instanceof ConcurrentModificationError && attempt < MAX_DECISION_ATTEMPTS) continue;
        throw again;
      }
    }
  }
}

/**
 * Expires the due holds on these items, so a reserve never waits for the sweeper: reads
 * each item's hold entries up to now (what is due there, nothing else) and applies
 * `HoldExpired` to their bookings. An entry whose booking no longer holds at that expiry
 * (expired by someone else, or the entry outlived its hold) is dropped, so it is not read
 * again. Returns how many holds were expired.
 */
export async function reclaimDueHolds(itemIds: readonly string[], deps: Dependencies): Promise<number> {
  const due = await deps.store.findDueHolds(itemIds, isoNow(deps), RECLAIM_LIMIT_PER_ITEM);
  const byBooking = Map.groupBy(due, (hold) => hold.bookingId);
  let expired = 0;
  for (const [bookingId, holds] of byBooking) {
    const outcome = await applySagaInput(
      bookingId,
      { kind: 'HoldExpired' },
      { correlationId: bookingId },
      deps,
    );
    if (outcome.applied) {
      // Its entries go with the expiry, from the change stream.
      expired++;
      continue;
    }
    const record = outcome.record;
    for (const hold of holds) {
      if (record?.status !== 'RESERVED' || record.expiresAt !== hold.expiresAt)
        await deps.store.dropHold(hold);
    }
  }
  return expired;
}

async function commit(decision: WriteDecision, deps: Dependencies): Promise<SagaOutcome> {
  // The answers are in the committed row: the change stream publishes them.
  await deps.store.writeReservation(decision.write);
  return {
    effect: decision.effect,
    applied: true,
    record: decision.write.next,
    ...(decision.refusal ? { refusal: decision.refusal } : {}),
  };
}

function outcomeOf(decision: Exclude<Decision, WriteDecision>): SagaOutcome {
  return {
    effect: decision.effect,
    applied: false,
    ...('record' in decision && decision.record ? { record: decision.record } : {}),
    ...('refusal' in decision && decision.refusal ? { refusal: decision.refusal } : {}),
  };
}

function isShortage(error: unknown): error is InsufficientInventoryError | ItemNotFoundError {
  return error instanceof InsufficientInventoryError || error instanceof ItemNotFoundError;
}
