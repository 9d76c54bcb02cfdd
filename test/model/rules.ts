import { eventIdFor } from '../../shared/domain/event-ids.ts';
import type { Stock } from './reference-model.ts';
import { INPUTS, type InputName, type RunResult, STOCK_TOTAL } from './scenarios.ts';

/**
 * The saga's rules (docs/saga.md), checked on what a run did, independently of the
 * decision table: a wrong table entry that the model and the use cases share is still
 * caught here. Returns the broken rules, empty when all hold.
 */
export function brokenRules(stock: Stock, bookingId: string, run: RunResult): string[] {
  const broken: string[] = [];
  const order = run.groups.flat();
  const ids = run.published;
  const has = (transition: string, generation = 0) => ids.has(eventIdFor(bookingId, transition, generation));
  const { item, record } = run;

  // Invariant and counters equal to the record.
  if (!item) broken.push('item vanished');
  else {
    if (item.totalQuantity !== item.availableQuantity + item.reservedQuantity + item.confirmedQuantity) {
      broken.push('invariant: total != available + reserved + confirmed');
    }
    if (item.totalQuantity !== STOCK_TOTAL[stock]) broken.push('total changed');
    const reserved = record?.status === 'RESERVED' ? (record.items[0]?.quantity ?? 0) : 0;
    const confirmed = record?.status === 'CONFIRMED' ? (record.items[0]?.quantity ?? 0) : 0;
    const ownReserved = item.reservedQuantity - run.othersHeld;
    if (ownReserved !== reserved || item.confirmedQuantity !== confirmed) {
      broken.push(`counters (${ownReserved}/${item.confirmedQuantity}) != record (${reserved}/${confirmed})`);
    }
    // A waiting booking's units are asked of the item, not held; nothing else waits.
    const waiting = record?.status === 'WAITLISTED' ? (record.items[0]?.quantity ?? 0) : 0;
    if ((item.waitlistedQuantity ?? 0) !== waiting) {
      broken.push(`waitlisted ${item.waitlistedQuantity ?? 0} != record ${waiting}`);
    }
  }

  // 1. Cancellation is absorbing: from the cancellation on, nothing is held.
  const cancelAt = run.groups.findIndex((g) => g.includes('CX'));
  if (cancelAt >= 0 && run.heldAfter.slice(cancelAt).some((n) => n > 0)) {
    broken.push('rule 1: units held after BookingCancelled');
  }

  // 2. Every distinct PaymentSucceeded gets exactly one answer once the booking is created
  //    or cancelled (at most one before), never both kinds.
  // A booking still on the waitlist answers its waiting payments when it is served or leaves.
  const settled = (order.includes('BC') || order.includes('CX')) && record?.status !== 'WAITLISTED';
  for (const name of ['PS1', 'PS2'] as const) {
    if (!order.includes(name)) continue;
    const paymentId = INPUTS[name].paymentId;
    const confirmedBy = new Set(
      run.events
        .filter((e) => {
          const data = e.detail.data as { bookingId?: string; paymentId?: string };
          return (
            e.detailType === 'InventoryConfirmed' &&
            data.bookingId === bookingId &&
            data.paymentId === paymentId
          );
        })
        .map((e) => e.detail.metadata.eventId),
    ).size;
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

  // 4. Every BookingCreated gets exactly one answer; one still on the waitlist has none yet
  //    and was told it waits.
  if (order.includes('BC')) {
    const answers = (has('RESERVED', 0) ? 1 : 0) + (has('RESERVATION_FAILED') ? 1 : 0);
    const want = record?.status === 'WAITLISTED' ? 0 : 1;
    if (answers !== want) broken.push(`rule 4: BookingCreated answered ${answers} times`);
    if (record?.status === 'WAITLISTED' && !has('WAITLISTED')) broken.push('rule 4: waits untold');
  }

  // 7. Waitlist: a booking still waiting at the end saw neither its maxWait pass (a tick)
  //    nor its units freed after it joined; none is served once its maxWait passed.
  const joinedAt = run.publishedPerGroup.findIndex((g) => g.includes(eventIdFor(bookingId, 'WAITLISTED')));
  if (joinedAt >= 0) {
    const later = run.groups.slice(joinedAt + 1).flat();
    if (record?.status === 'WAITLISTED' && (later.includes('TICK') || later.includes('FREE'))) {
      broken.push('rule 7: still waiting after its maxWait passed or its units were freed');
    }
    const servedAt = run.publishedPerGroup.findIndex((g) => g.includes(eventIdFor(bookingId, 'RESERVED', 0)));
    const tickAt = run.groups.findIndex((g, i) => i > joinedAt && g.includes('TICK'));
    if (servedAt >= 0 && tickAt >= 0 && servedAt >= tickAt)
      broken.push('rule 7: served after its maxWait passed');
  }

  // 6. Waitlist: only a booking that asked waits, and one served from it says so.
  if (has('WAITLISTED')) {
    if (stock !== 'waitlist') broken.push('rule 6: waitlisted without asking');
    const reserved = run.events.find(
      (e) => e.detail.metadata.eventId === eventIdFor(bookingId, 'RESERVED', 0),
    );
    if (reserved && (reserved.detail.data as { fromWaitlist?: boolean }).fromWaitlist !== true) {
      broken.push('rule 6: served from the waitlist without fromWaitlist');
    }
  }

  // 5. A redelivery replays: a group made only of inputs delivered before publishes nothing.
  const seen = new Set<InputName>();
  run.groups.forEach((group, g) => {
    const repeats = group.every((name) => seen.has(name) && name !== 'TICK');
    if (repeats && (run.publishedPerGroup[g] ?? []).length > 0) {
      broken.push(`rule 5: redelivered ${group.join('+')} published again`);
    }
    for (const name of group) seen.add(name);
  });
  return broken;
}
