import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LogPort } from '../../domain/ports.ts';
import type { ChangeProjector, ChangeRecord } from '../change-stream.ts';
import { type DecisionMoves, decisionLedgerSuffix, holdRow, ledgerRow } from './table-layout.ts';

/**
 * What a committed booking decision owes the table besides its events, written from the
 * table's change stream after the commit instead of inside the decision's transaction:
 * - the decision's stock-ledger rows, one per line it moved (the row's `moves`);
 * - the hold rows (one per line of a RESERVED booking, under its item, by expiry), which
 *   the reserve's reclaim reads: added when the booking starts holding, removed when it
 *   stops, as the difference between the row's old and new image.
 * Keys are derived from the row alone, so a re-read of the stream writes the same rows.
 */

export type ProjectionWrite =
  | { kind: 'put'; row: Record<string, unknown> }
  | { kind: 'delete'; key: { pk: string; sk: string } };

/** The writes one change owes (none for anything but a booking record). */
export function projectionOf(change: ChangeRecord): ProjectionWrite[] {
  const before = change.oldImage;
  const after = change.newImage;
  if ((after ?? before)?.entity !== 'RESERVATION') return [];
  const writes: ProjectionWrite[] = [];
  if (after?.moves && after.version !== before?.version) {
    const moves = decisionMoves(after.moves);
    const bookingId = String(after.bookingId);
    for (const line of moves.lines) {
      writes.push({
        kind: 'put',
        row: ledgerRow(line.itemId, decisionLedgerSuffix(moves.at, bookingId, Number(after.version)), {
          type: moves.type,
          bookingId,
          reservationId: after.reservationId,
          quantity: line.quantity,
          from: line.from,
          to: line.to,
          at: moves.at,
          correlationId: after.correlationId,
        }),
      });
    }
  }
  const was = holdsOf(before);
  const is = holdsOf(after);
  for (const [key, row] of was)
    if (!is.has(key)) writes.push({ kind: 'delete', key: { pk: row.pk, sk: row.sk } });
  for (const [key, row] of is) if (!was.has(key)) writes.push({ kind: 'put', row });
  return writes;
}

const BUCKETS = new Set(['outside', 'available', 'reserved', 'confirmed']);

/** A row's `moves`, checked: a malformed one must stop the batch, not write wrong rows. */
function decisionMoves(value: unknown): DecisionMoves {
  const moves = value as DecisionMoves;
  const valid =
    typeof moves?.type === 'string' &&
    typeof moves.at === 'string' &&
    Array.isArray(moves.lines) &&
    moves.lines.every(
      (l) =>
        typeof l?.itemId === 'string' &&
        Number.isInteger(l.quantity) &&
        l.quantity > 0 &&
        BUCKETS.has(l.from) &&
        BUCKETS.has(l.to),
    );
  if (!valid) throw new TypeError(`Malformed moves on a booking row: ${JSON.stringify(value)}`);
  return moves;
}

/** The hold rows a booking image stands for: one per line while it is RESERVED. */
function holdsOf(image: Record<string, unknown> | undefined): Map<string, ReturnType<typeof holdRow>> {
  const holds = new Map<string, ReturnType<typeof holdRow>>();
  if (image?.status !== 'RESERVED') return holds;
  for (const line of image.items as { itemId: string; quantity: number }[]) {
    const row = holdRow(line.itemId, String(image.expiresAt), String(image.bookingId), line.quantity);
    holds.set(keyOf(row), row);
  }
  return holds;
}

const keyOf = (k: { pk: string; sk: string }) => `${k.pk}\n${k.sk}`;

/** BatchWriteItem takes at most 25 writes. */
const BATCH_LIMIT = 25;
/** Rounds of unprocessed writes re-sent (with backoff) before the batch counts as failed. */
const UNPROCESSED_ROUNDS = 8;

/**
 * Applies the projection of a batch of changes with BatchWriteItem (standard writes, 1 WCU
 * per KB, instead of 2 inside the decision's transaction). The batch's writes are collapsed
 * per key in stream order (the last one stands: a hold added and removed within a batch is
 * only removed), since one request may not name a key twice.
 */
export class DynamoDbProjector implements ChangeProjector {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#db = options.client;
    this.#table = options.tableName;
  }

  async project(
    changes: readonly ChangeRecord[],
    log?: LogPort,
  ): Promise<{ projected: number; failedAt?: number }> {
    const last = new Map<string, { write: ProjectionWrite; at: number }>();
    let buildFailedAt: number | undefined;
    for (const [at, change] of changes.entries()) {
      let writes: ProjectionWrite[];
      try {
        writes = projectionOf(change);
      } catch (error) {
        log?.error('Change record cannot be projected', {
          sequenceNumber: change.sequenceNumber,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
        buildFailedAt = at;
        break;
      }
      for (const write of writes) {
        const key = keyOf(write.kind === 'put' ? (write.row as { pk: string; sk: string }) : write.key);
        last.delete(key);
        last.set(key, { write, at });
      }
    }
    const pending = [...last.values()];
    let projected = 0;
    for (let i = 0; i < pending.length; i += BATCH_LIMIT) {
      const chunk = pending.slice(i, i + BATCH_LIMIT);
      try {
        await this.#batchWrite(chunk.map((p) => p.write));
        projected += chunk.length;
      } catch (error) {
        // Whatever is not known to be written is written again from its change on.
        const from = Math.min(
          ...pending.slice(i).map((p) => p.at),
          buildFailedAt ?? Number.POSITIVE_INFINITY,
        );
        log?.warn('Projection writes failed; the stream delivers from this change again', {
          sequenceNumber: changes[from]?.sequenceNumber,
          error: error instanceof Error ? error.message : String(error),
        });
        return { projected, failedAt: from };
      }
    }
    return buildFailedAt === undefined ? { projected } : { projected, failedAt: buildFailedAt };
  }

  async #batchWrite(writes: ProjectionWrite[]): Promise<void> {
    type Request = NonNullable<ConstructorParameters<typeof BatchWriteCommand>[0]['RequestItems']>[string];
    let requests: Request | undefined = writes.map((w) =>
      w.kind === 'put' ? { PutRequest: { Item: w.row } } : { DeleteRequest: { Key: w.key } },
    );
    for (let round = 0; requests && requests.length > 0; round++) {
      if (round >= UNPROCESSED_ROUNDS)
        throw new Error(`BatchWriteItem left ${requests.length} writes unprocessed`);
      if (round > 0) await sleep(Math.min(1000, 50 * 2 ** round));
      const out = await this.#db.send(new BatchWriteCommand({ RequestItems: { [this.#table]: requests } }));
      requests = out.UnprocessedItems?.[this.#table] as Request | undefined;
    }
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
