import { type AttributeValue, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  ConcurrentModificationError,
  InsufficientInventoryError,
  ItemNotFoundError,
  type Shortfall,
  StockConflictError,
} from '../../domain/errors.ts';
import type { QuantityBucket } from '../../domain/model.ts';
import type { StockChange } from '../../domain/ports.ts';

/**
 * A transaction's cancellation explained: each action keeps its meaning beside it, and a
 * cancelled `TransactWriteItems` becomes the domain error that says what failed.
 */

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** What each action of a transaction is, so a cancellation reason can be explained. */
export type Action =
  | { kind: 'reservation' }
  | { kind: 'line'; itemId: string; quantity: number; from: QuantityBucket; served?: true }
  | { kind: 'stock'; change: StockChange }
  | { kind: 'new-item' }
  | { kind: 'append' }
  /** A row written or removed without a condition of its own (a waitlist entry). */
  | { kind: 'entry' };

/** A conditional append (ledger, remembered payment) found its row already written. */
export class DuplicateAppendError extends Error {
  override name = 'DuplicateAppendError';
}

export function isConflictOnly(error: unknown): boolean {
  if (!(error instanceof TransactionCanceledException)) return false;
  const codes = (error.CancellationReasons ?? []).map((r) => r.Code);
  return codes.includes('TransactionConflict') && !codes.includes('ConditionalCheckFailed');
}

/** Turns a cancelled transaction into the domain error that says what failed. */
export function explainCancellation(error: TransactionCanceledException, actions: Action[]): Error {
  const reasons = error.CancellationReasons ?? [];
  const failed = reasons.flatMap((reason, index) => {
    const action = actions[index];
    return reason.Code === 'ConditionalCheckFailed' && action ? [{ action, old: reason.Item }] : [];
  });
  if (failed.length === 0) {
    const conflict = reasons.some((r) => r.Code === 'TransactionConflict');
    return conflict
      ? new ConcurrentModificationError('Transaction kept conflicting with concurrent writes', {
          cause: error,
        })
      : new Error(`Transaction cancelled: ${reasons.map((r) => r.Code).join(', ')}`, { cause: error });
  }
  // A changed reservation or payment means the decision was made on stale state: re-decide.
  if (failed.some((f) => f.action.kind === 'reservation' || f.action.kind === 'new-item')) {
    return new ConcurrentModificationError('The booking changed while it was being updated', {
      cause: error,
    });
  }
  const stock = failed.find((f) => f.action.kind === 'stock');
  if (stock && stock.action.kind === 'stock')
    return explainStockChange(stock.action.change, stock.old, error);
  const lines = failed.flatMap((f) => (f.action.kind === 'line' ? [{ ...f.action, old: f.old }] : []));
  if (lines.length > 0) {
    const missing = lines.filter((l) => !l.old).map((l) => l.itemId);
    if (missing.length > 0) return new ItemNotFoundError(missing);
    if (lines.every((l) => l.from === 'available')) {
      const olds = lines.map((l) => ({ line: l, item: unmarshall(l.old as Record<string, AttributeValue>) }));
      // A new reserve may take only what the waitlist does not ask for.
      const shortfalls: Shortfall[] = olds.map(({ line, item }) => ({
        itemId: line.itemId,
        requested: line.quantity,
        available: Math.max(
          0,
          Math.min(
            Number(item.availableQuantity ?? 0),
            line.served
              ? Number.POSITIVE_INFINITY
              : Number(item.unclaimedQuantity ?? item.availableQuantity ?? 0),
          ),
        ),
      }));
      const held = new Map(olds.map(({ line, item }) => [line.itemId, Number(item.reservedQuantity ?? 0)]));
      return new InsufficientInventoryError(shortfalls, held);
    }
    return new Error(
      `Stock counters disagree with reservations for ${lines.map((l) => l.itemId).join(', ')}; run the reconciler`,
      { cause: error },
    );
  }
  if (failed.every((f) => f.action.kind === 'append')) {
    return new DuplicateAppendError('Row already written', { cause: error });
  }
  return new Error('Transaction cancelled', { cause: error });
}

function explainStockChange(
  change: StockChange,
  old: Record<string, AttributeValue> | undefined,
  cause: Error,
): Error {
  if (!old) return new ItemNotFoundError([change.itemId]);
  const item = unmarshall(old);
  if (Number(item.version) !== change.expectedVersion) {
    return new ConcurrentModificationError(`Item ${change.itemId} changed while it was being updated`, {
      cause,
    });
  }
  return new StockConflictError(`Not enough available units of ${change.itemId} to remove ${-change.delta}`, {
    cause,
    details: { itemId: change.itemId, requested: -change.delta, available: Number(item.availableQuantity) },
  });
}
