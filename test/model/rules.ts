import { eventIdFor } from '../../shared/domain/event-ids.ts';
import type { Stock } from './reference-model.ts';
import { INPUTS, type InputName, ITEM, type RunResult, STOCK_TOTAL } from './scenarios.ts';

/**
 * The saga's rules (docs/saga.md), checked on what a run did, independently of the
 * decision table: a wrong table entry that the model and the use cases share is still
 * caught here. Returns the broken rules, empty when all hold.
 */
export function brokenRules(
  order: readonly InputName[],
  stock: Stock,
  bookingId: string,
  run: RunResult,
): string[] {
  const broken: string[] = [];
  const ids = run.published;
  const has = (transition: string, generation = 0) => ids.has(eventIdFor(bookingId, transition, generation));
  const item = run.store.items.get(ITEM);
  const record = run.store.bookings.get(bookingId);

  // Invariant and counters equal to the record.
  if (!item) broken.push('item vanished');
  else {
    if (item.totalQuantity !== item.availableQuantity + item.reservedQuantity + item.confirmedQuantity) {
      broken.push('invariant: total != available + reserved + confirmed');
    }
    if (item.totalQuantity !== STOCK_TOTAL[stock]) broken.push('total changed');
    const reserved = record?.status === 'RESERVED' ? (record.items[0]?.quantity ?? 0) : 0;
    const confirmed = record?.status === 'CONFIRMED' ? (record.items[0]?.quantity ?? 0) : 0;
    if (item.reservedQuantity !== reserved || item.confirmedQuantity !== confirmed) {
      broken.push(
        `counters (${item.reservedQuantity}/${item.confirmedQuantity}) != record (${reserved}/${confirmed})`,
      );
    }
  }

  // 1. Cancellation is absorbing: from the cancellation on, nothing is held.
  const cancelAt = order.indexOf('CX');
  if (cancelAt >= 0 && run.heldAfter.slice(cancelAt).some((n) => n > 0)) {
    broken.push('rule 1: units held after BookingCancelled');
  }

  // 2. Every distinct PaymentSucceeded gets exactly one answer once the booking is created
  //    or cancelled (at most one before), never both kinds.
  const settled = order.includes('BC') || order.includes('CX');
  for (const name of ['PS1', 'PS2'] as const) {
    if (!order.includes(name)) continue;
    const paymentId = INPUTS[name].paymentId;
    const confirmedBy = run.events.filter(
      (e) =>
        e.detailType === 'InventoryConfirmed' &&
        (e.detail.data as { paymentId?: string }).paymentId === paymentId,
    ).length;
    const failed = ids.has(eventIdFor(bookingId, `CONFIRMATION_FAILED:${paymentId}`)) ? 1 : 0;
    const answers = confirmedBy + failed;
    if (answers > 1) broken.push(`rule 2: payment ${paymentId} answered ${answers} times`);
    if (settled && answers === 0) broken.push(`rule 2: payment ${paymentId} never answered`);
  }

  // 3. Success beats failure: with stock, no cancellation, BookingCreated and a payment → CONFIRMED.
  const paid = order.includes('PS1') || order.includes('PS2');
  if (
    stock === 'ample' &&
    order.includes('BC') &&
    paid &&
    !order.includes('CX') &&
    record?.status !== 'CONFIRMED'
  ) {
    broken.push(`rule 3: ended ${record?.status ?? 'NONE'}, not CONFIRMED`);
  }

  // 4. Every BookingCreated gets exactly one answer.
  if (order.includes('BC')) {
    const answers = (has('RESERVED', 0) ? 1 : 0) + (has('RESERVATION_FAILED') ? 1 : 0);
    if (answers !== 1) broken.push(`rule 4: BookingCreated answered ${answers} times`);
  }

  // 5. A redelivery replays: a repeated input publishes nothing new.
  order.forEach((name, i) => {
    if (name === 'TICK' || order.indexOf(name) === i) return;
    if ((run.publishedPerDelivery[i] ?? []).length > 0)
      broken.push(`rule 5: redelivered ${name} published again`);
  });
  return broken;
}
