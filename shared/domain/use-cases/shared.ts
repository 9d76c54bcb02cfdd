import { ConcurrentModificationError, ValidationError } from '../errors.ts';
import { ITEM_ID_PATTERN, MAX_LINE_QUANTITY, MAX_LINES } from '../limits.ts';
import { normaliseLines, type ReservationLine } from '../model.ts';
import type { Dependencies } from '../ports.ts';

/** How often a use case re-reads and re-decides after losing a race. */
export const MAX_DECISION_ATTEMPTS = 8;

/** Validates reservation lines (the HTTP and event schemas do too; this guards the domain). */
export function validateLines(lines: readonly ReservationLine[]): ReservationLine[] {
  if (lines.length < 1 || lines.length > MAX_LINES) {
    throw new ValidationError(`A reservation has 1 to ${MAX_LINES} lines, got ${lines.length}`);
  }
  const seen = new Set<string>();
  for (const { itemId, quantity } of lines) {
    if (!ITEM_ID_PATTERN.test(itemId)) throw new ValidationError(`Invalid itemId: ${itemId}`);
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_LINE_QUANTITY) {
      throw new ValidationError(`Quantity of ${itemId} must be an integer from 1 to ${MAX_LINE_QUANTITY}`);
    }
    if (seen.has(itemId)) throw new ValidationError(`Item ${itemId} appears more than once`);
    seen.add(itemId);
  }
  return normaliseLines(lines);
}

/**
 * Runs `attempt` until it does not lose a race: read, decide, conditional write. Each
 * retry re-reads, so the decision is always made on current state.
 */
export async function withDecisionRetries<T>(attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ConcurrentModificationError) || n >= MAX_DECISION_ATTEMPTS) throw error;
    }
  }
}

export const isoNow = (deps: Dependencies): string => deps.clock.now().toISOString();
