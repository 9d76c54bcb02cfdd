import { ItemNotFoundError, ReservationNotFoundError } from '../errors.ts';
import { type Actor, type Item, mayAct, type Reservation, type ReservationLine } from '../model.ts';
import type { Dependencies, Page, StoredItem } from '../ports.ts';
import { validateLines } from './shared.ts';

type ReadDeps = Pick<Dependencies, 'store'>;

/**
 * An item as clients see it: the storage details (its version, the ledger row count, the
 * stamp of the last administrative change the stream publishes) stripped.
 */
export function toItem({
  version: _v,
  ledgerCount: _l,
  adjustment: _a,
  ...item
}: Item & Partial<Pick<StoredItem, 'version' | 'ledgerCount' | 'adjustment'>>): Item {
  return item;
}

export async function getItem(itemId: string, deps: ReadDeps): Promise<Item> {
  const item = await deps.store.getItem(itemId);
  if (!item) throw new ItemNotFoundError([itemId]);
  return toItem(item);
}

export async function listItems(
  page: { limit: number; cursor?: string },
  deps: ReadDeps,
): Promise<Page<Item>> {
  const result = await deps.store.listItems(page);
  return { items: result.items.map(toItem), ...(result.cursor ? { cursor: result.cursor } : {}) };
}

export interface AvailabilityLine {
  itemId: string;
  requested: number;
  availableQuantity: number;
  available: boolean;
}

/**
 * Answers whether every line could be reserved now. Advisory: only a reserve decides,
 * atomically. Unknown items answer ITEM_NOT_FOUND.
 */
export async function checkAvailability(
  lines: ReservationLine[],
  deps: ReadDeps,
): Promise<{ available: boolean; items: AvailabilityLine[] }> {
  const valid = validateLines(lines);
  const found = await deps.store.getItems(valid.map((l) => l.itemId));
  const missing = valid.filter((l) => !found.has(l.itemId)).map((l) => l.itemId);
  if (missing.length > 0) throw new ItemNotFoundError(missing);
  // Answer in the order asked, not the normalised order. What a new booking may take: the
  // available units the waitlist does not ask for (nobody jumps the queue).
  const items = lines.map(({ itemId, quantity }) => {
    const item = found.get(itemId);
    const availableQuantity = Math.max(0, (item?.availableQuantity ?? 0) - (item?.waitlistedQuantity ?? 0));
    return { itemId, requested: quantity, availableQuantity, available: availableQuantity >= quantity };
  });
  return { available: items.every((i) => i.available), items };
}

/** A booking's reservation as `actor` may see it: someone else's is not found (no enumeration). */
export async function getReservation(
  bookingId: string,
  deps: ReadDeps,
  actor: Actor = { kind: 'service' },
): Promise<Reservation> {
  const { reservation } = await deps.store.getBooking(bookingId);
  if (!reservation || !mayAct(actor, reservation)) throw new ReservationNotFoundError(bookingId);
  // Before BookingCreated the saga may know a booking (a payment waits): no reservation yet.
  if (reservation.status === 'PENDING' && !reservation.cancelled)
    throw new ReservationNotFoundError(bookingId);
  return reservation;
}
