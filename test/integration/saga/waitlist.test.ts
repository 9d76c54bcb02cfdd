import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../shared/adapters/clock.ts';
import { toReservation, toStoredItem } from '../../../shared/adapters/dynamodb-store.ts';
import { serveChangedItems } from '../../../shared/adapters/waitlist-changes.ts';
import { InsufficientInventoryError } from '../../../shared/domain/errors.ts';
import type { Reservation } from '../../../shared/domain/model.ts';
import type { StoredItem } from '../../../shared/domain/ports.ts';
import {
  applyBookingCreated,
  expireDueReservations,
  releaseBooking,
  reserveBooking,
} from '../../../shared/domain/use-cases/index.ts';
import {
  createTestTables,
  invariantHolds,
  scanAll,
  seedItem,
  type TestTables,
} from '../../support/dynamo.ts';
import { deps } from '../../support/fakes.ts';
import { type Backend, ITEMS, runWaitlistProperty } from '../../support/waitlist-property.ts';

/**
 * The waitlist on DynamoDB Local, through the real store and the table's real stream: the
 * store's conditions (nobody jumps the queue), its rows (one entry per line, sorted by
 * tier and arrival; counters), positions counted by the store, and serving driven by the
 * item changes the stream delivers to the waitlist server's own code.
 */

let t: TestTables;
const ids = Array.from({ length: 8 }, (_, i) => `11111111-2222-4333-8444-${String(i).padStart(12, '0')}`);

beforeAll(async () => {
  t = await createTestTables('waitlist');
});
afterAll(async () => {
  await t.drop();
});

/** Everything the stream holds now goes to the waitlist server (as its event source mapping would). */
async function runServer(d: ReturnType<typeof deps>) {
  const changes = await t.stream.drain();
  return serveChangedItems(changes, d);
}

describe('waitlist on DynamoDB', () => {
  it('queues a short booking, keeps new reserves behind it, serves it from freed units in tier order', async () => {
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    const d = deps(t.plainStore, { clock });
    const wait = (priority: 'premium' | 'standard') => ({ maxWaitSeconds: 3600, priority }) as const;
    await seedItem(t.doc, t.tableName, 'W-ROOM', 3);
    await seedItem(t.doc, t.tableName, 'W-SIDE', 5);
    await t.stream.drain();
    // Two units held; a standard booking of 2 waits (1 left), then a premium one of 1 is
    // served at once? No: 1 unit is free but the waitlist asks for 2, so it waits too.
    await reserveBooking(
      { bookingId: ids[0] as string, items: [{ itemId: 'W-ROOM', quantity: 2 }], correlationId: 'c0' },
      d,
    );
    const standard = await reserveBooking(
      {
        bookingId: ids[1] as string,
        items: [
          { itemId: 'W-ROOM', quantity: 2 },
          { itemId: 'W-SIDE', quantity: 1 },
        ],
        correlationId: 'c1',
        waitlist: wait('standard'),
      },
      d,
    );
    expect(standard.reservation.status).toBe('WAITLISTED');
    clock.advance(1000);
    const premium = await reserveBooking(
      {
        bookingId: ids[2] as string,
        items: [{ itemId: 'W-ROOM', quantity: 1 }],
        correlationId: 'c2',
        waitlist: wait('premium'),
      },
      d,
    );
    // 1 unit is available, but the standard booking asked for 2 of it first: nobody jumps
    // the queue, not even a premium booking that did not wait before.
    expect(premium.reservation.status).toBe('WAITLISTED');
    // Without a ticket: refused, and told what it may take (available minus what waits).
    const refused = await reserveBooking(
      { bookingId: ids[3] as string, items: [{ itemId: 'W-ROOM', quantity: 1 }], correlationId: 'c3' },
      d,
    ).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InsufficientInventoryError);
    expect((refused as InsufficientInventoryError).shortfalls).toEqual([
      { itemId: 'W-ROOM', requested: 1, available: 0 },
    ]);
    // Positions: premium first on W-ROOM.
    const { reservation: s } = await t.plainStore.getBooking(ids[1] as string);
    const { reservation: p } = await t.plainStore.getBooking(ids[2] as string);
    expect(await t.plainStore.waitlistPositions(s as never)).toEqual([{ itemId: 'W-ROOM', position: 2 }]);
    expect(await t.plainStore.waitlistPositions(p as never)).toEqual([{ itemId: 'W-ROOM', position: 1 }]);
    // Rows: one entry per line, counters, invariant; W-SIDE's unit is asked for, not held.
    const rows = await scanAll(t.doc, t.tableName);
    expect(
      rows
        .filter((r) => r.entity === 'WAITLIST')
        .map((r) => `${r.pk} ${r.bookingId}`)
        .sort(),
    ).toEqual([`ITEM#W-ROOM ${ids[1]}`, `ITEM#W-ROOM ${ids[2]}`, `ITEM#W-SIDE ${ids[1]}`].sort());
    const room = await t.plainStore.getItem('W-ROOM');
    expect(room).toMatchObject({ availableQuantity: 1, reservedQuantity: 2, waitlistedQuantity: 3 });
    expect(await t.plainStore.getItem('W-SIDE')).toMatchObject({
      availableQuantity: 5,
      waitlistedQuantity: 1,
    });
    expect(invariantHolds((await t.plainStore.getItem('W-ROOM')) as never)).toBe(true);

    // The holder lets go: 3 units free. The stream brings the item change to the server:
    // premium (1) first, then standard (2 + W-SIDE 1), all lines at once.
    await releaseBooking({ bookingId: ids[0] as string, reason: 'CANCELLED', correlationId: 'c0' }, d);
    const served = await runServer(d);
    expect(served.served).toBe(2);
    for (const id of [ids[1], ids[2]]) {
      expect((await t.plainStore.getBooking(id as string)).reservation?.status).toBe('RESERVED');
    }
    expect(await t.plainStore.getItem('W-ROOM')).toMatchObject({
      availableQuantity: 0,
      reservedQuantity: 3,
      waitlistedQuantity: 0,
    });
    expect(await t.plainStore.getItem('W-SIDE')).toMatchObject({
      availableQuantity: 4,
      reservedQuantity: 1,
      waitlistedQuantity: 0,
    });
    expect((await scanAll(t.doc, t.tableName)).filter((r) => r.entity === 'WAITLIST')).toEqual([]);
    // A second run of the server (a redelivered batch) changes nothing.
    expect((await serveChangedItems([], d)).served).toBe(0);
    expect(invariantHolds((await t.plainStore.getItem('W-ROOM')) as never)).toBe(true);
  });

  it('a waiting booking leaves unserved at maxWait (WAITLIST_EXPIRED) and on cancellation; counters come back', async () => {
    const clock = new ManualClock('2026-03-02T00:00:00.000Z');
    const d = deps(t.plainStore, { clock });
    await seedItem(t.doc, t.tableName, 'W-LATE', 1);
    await applyBookingCreated(
      { bookingId: ids[4] as string, items: [{ itemId: 'W-LATE', quantity: 1 }], correlationId: 'c4' },
      d,
    );
    for (const [i, maxWaitSeconds] of [
      [5, 60],
      [6, 3600],
    ] as const) {
      const outcome = await applyBookingCreated(
        {
          bookingId: ids[i] as string,
          items: [{ itemId: 'W-LATE', quantity: 1 }],
          correlationId: `c${i}`,
          waitlist: { maxWaitSeconds, priority: 'standard' },
        },
        d,
      );
      expect(outcome.record?.status).toBe('WAITLISTED');
    }
    expect(await t.plainStore.getItem('W-LATE')).toMatchObject({ waitlistedQuantity: 2 });
    clock.advance(61_000);
    await expireDueReservations({ limit: 50 }, d);
    expect((await t.plainStore.getBooking(ids[5] as string)).reservation).toMatchObject({
      status: 'REFUSED',
      refusal: 'WAITLIST_EXPIRED',
    });
    await releaseBooking({ bookingId: ids[6] as string, reason: 'CANCELLED', correlationId: 'c6' }, d);
    expect((await t.plainStore.getBooking(ids[6] as string)).reservation).toMatchObject({
      status: 'REFUSED',
      refusal: 'BOOKING_RELEASED',
      cancelled: true,
    });
    expect(await t.plainStore.getItem('W-LATE')).toMatchObject({
      availableQuantity: 0,
      reservedQuantity: 1,
      waitlistedQuantity: 0,
    });
    const entries = (await scanAll(t.doc, t.tableName)).filter(
      (r) => r.entity === 'WAITLIST' && r.pk === 'ITEM#W-LATE',
    );
    expect(entries).toEqual([]);
  });
});

/** A fresh table per run on DynamoDB Local: the real store, its stream, all of it read by a scan. */
async function dynamoBackend(): Promise<Backend> {
  const own = await createTestTables('wlprop');
  return {
    store: own.plainStore,
    async seed() {
      for (const [id, total] of Object.entries(ITEMS))
        await seedItem(own.doc, own.tableName, id, total as number);
    },
    drain: () => own.stream.drain(),
    async view() {
      const rows = await scanAll(own.doc, own.tableName);
      const items = new Map<string, StoredItem>();
      const bookings = new Map<string, Reservation>();
      const entries = new Map<string, { bookingId: string; quantity: number }[]>();
      for (const row of rows) {
        if (row.entity === 'ITEM') items.set(String(row.itemId), toStoredItem(row));
        else if (row.entity === 'RESERVATION') bookings.set(String(row.bookingId), toReservation(row));
        else if (row.entity === 'WAITLIST') {
          const list = entries.get(String(row.itemId)) ?? [];
          list.push({ bookingId: String(row.bookingId), quantity: Number(row.quantity) });
          entries.set(String(row.itemId), list);
        }
      }
      return { items, bookings, entries };
    },
    close: () => own.drop(),
  };
}

describe('waitlist property on DynamoDB Local', () => {
  const runs = Number(process.env.WAITLIST_DDB_RUNS ?? 8);
  const seed = Number(process.env.WAITLIST_SEED ?? Date.now() % 1_000_000);
  it(`the real store keeps the waitlist's rules after every step (${runs} runs, seed ${seed})`, async () => {
    const totals = await runWaitlistProperty(dynamoBackend, { runs, seed, maxSteps: 25 });
    console.info(
      `waitlist property on DynamoDB Local: ${runs} runs (seed ${seed}), ${JSON.stringify(totals)}`,
    );
    expect(totals.steps).toBeGreaterThan(0);
  }, 300_000);
});
