import type { ShortLine } from './model.ts';

/**
 * Domain errors. Each carries a stable machine-readable `code`; the HTTP layer maps them
 * to status codes by `instanceof`, the saga consumers to failure events. Each also names
 * itself as a string: the bundles are minified without esbuild's `keepNames`, so a class's
 * own name does not survive (a unit test bundles this file and checks every `name`).
 */

export abstract class DomainError extends Error {
  abstract override readonly name: string;
  abstract readonly code: string;
  readonly details?: unknown;

  constructor(message: string, options?: { cause?: unknown; details?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    if (options?.details !== undefined) this.details = options.details;
  }
}

export class ValidationError extends DomainError {
  override readonly name = 'ValidationError';
  readonly code = 'VALIDATION_ERROR';
}

export class ItemNotFoundError extends DomainError {
  override readonly name = 'ItemNotFoundError';
  readonly code = 'ITEM_NOT_FOUND';
  constructor(readonly itemIds: string[]) {
    super(`Item not found: ${itemIds.join(', ')}`, { details: itemIds.map((itemId) => ({ itemId })) });
  }
}

/** One line that could not be served: what was asked and what is left. */
export type Shortfall = ShortLine;

export class InsufficientInventoryError extends DomainError {
  override readonly name = 'InsufficientInventoryError';
  readonly code = 'INSUFFICIENT_INVENTORY';
  /**
   * @param shortfalls what each short line asked for and found available (the API's details)
   * @param heldByItem units currently reserved (not confirmed) per short item, when known:
   *   if none are held, no expired hold can be reclaimed for them
   */
  constructor(
    readonly shortfalls: Shortfall[],
    readonly heldByItem?: ReadonlyMap<string, number>,
  ) {
    super(
      `Insufficient inventory for ${shortfalls.map((s) => `${s.itemId} (requested ${s.requested}, available ${s.available})`).join(', ')}`,
      { details: shortfalls },
    );
  }
}

export class BookingConflictError extends DomainError {
  override readonly name = 'BookingConflictError';
  readonly code = 'BOOKING_CONFLICT';
}

export class ReservationNotFoundError extends DomainError {
  override readonly name = 'ReservationNotFoundError';
  readonly code = 'RESERVATION_NOT_FOUND';
  constructor(readonly bookingId: string) {
    super(`No reservation for booking ${bookingId}`);
  }
}

/** An admin change that would break the invariant (e.g. total below reserved + confirmed). */
export class StockConflictError extends DomainError {
  override readonly name = 'StockConflictError';
  readonly code = 'STOCK_CONFLICT';
}

/**
 * The write lost a race (version or status changed under it) more often than the retry
 * budget allows. Callers retry the whole use case; consumers leave the message for redelivery.
 */
export class ConcurrentModificationError extends DomainError {
  override readonly name = 'ConcurrentModificationError';
  readonly code = 'CONCURRENT_MODIFICATION';
}
