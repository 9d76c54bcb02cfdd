import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../shared/adapters/clock.ts';
import { DomainError } from '../../../shared/domain/errors.ts';
import {
  adjustStock,
  confirmBooking,
  expireDueReservations,
  releaseBooking,
  reserveBooking,
} from '../../../shared/domain/use-cases/index.ts';
import { createTestTables, seedItem, type TestTables } from '../../support/dynamo.ts';
import { deps, RecordingPublisher } from '../../support/fakes.ts';

/**
 * Random concurrent sequences of reserve, confirm, release, adjust and expire over a few
 * bookings and items, on DynamoDB Local. After every step (a batch of commands run
 * concurrently) each item must satisfy total = available + reserved + confirmed with all
 * counters >= 0, and reserved/confirmed must equal the sums over the reservations that
 * are RESERVED/CONFIRMED (a stronger oracle than the invariant alone).
 */

const ITEMS = ['PA', 'PB', 'PC'] as const;
const DAY_MS = 86_400_000;

type Command =
  | { kind: 'reserve'; booking: number; lines: { item: number; quantity: number }[] }
  | { kind: 'confirm'; booking: number }
  | { kind: 'release'; booking: number; reason: 'PAYMENT_FAILED' | 'CANCELLED' | 'MANUAL' }
  | { kind: 'adjust'; item: number; delta: number }
  | { kind: 'expire' }
  | { kind: 'tick'; seconds: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('reserve' as const),
      booking: fc.nat(5),
      lines: fc.uniqueArray(fc.record({ item: fc.nat(2), quantity: fc.integer({ min: 1, max: 4 }) }), {
        minLength: 1,
        maxLength: 3,
        selector: (l) => l.item,
      }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('confirm' as const), booking: fc.nat(5) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('release' as const),
      booking: fc.nat(5),
      reason: fc.constantFrom('PAYMENT_FAILED' as const, 'CANCELLED' as const, 'MANUAL' as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('adjust' as const),
      item: fc.nat(2),
      delta: fc.integer({ min: -5, max: 5 }).filter((d) => d !== 0),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'expire' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('tick' as const), seconds: fc.integer({ min: 10, max: 120 }) }),
  },
);

let t: TestTables;
beforeAll(async () => {
  t = await createTestTables('property');
});
afterAll(async () => {
  await t.drop();
});

describe('invariant under random concurrent commands', () => {
  it('holds after every step, and counters match the reservations', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(command, { minLength: 1, maxLength: 4 }), { minLength: 3, maxLength: 8 }),
        async (steps) => {
          runs++;
          // Fresh items and bookings per run, so runs do not see each other.
          const run = randomUUID().slice(0, 8);
          const itemIds = ITEMS.map((i) => `${i}-${run}`);
          const bookingIds = Array.from({ length: 6 }, () => randomUUID());
          for (const id of itemIds) await seedItem(t.doc, t.tableName, id, 8);
          // Each run starts a day before the last: the holds of earlier runs are never due in
          // this one (its ticks add up to an hour at most), so the sweeper expires this run's.
          const clock = new ManualClock(new Date(Date.parse('2026-09-01T00:00:00.000Z') - runs * DAY_MS));
          const d = {
            ...deps(t.store, { clock, publisher: new RecordingPublisher() }),
            defaultTtlSeconds: 60,
          };

          const apply = async (c: Command) => {
            try {
              switch (c.kind) {
                case 'reserve':
                  return await reserveBooking(
                    {
                      bookingId: bookingIds[c.booking] as string,
                      items: c.lines.map((l) => ({
                        itemId: itemIds[l.item] as string,
                        quantity: l.quantity,
                      })),
                      correlationId: run,
                    },
                    d,
                  );
                case 'confirm':
                  return await confirmBooking(
                    { bookingId: bookingIds[c.booking] as string, correlationId: run },
                    d,
                  );
                case 'release':
                  return await releaseBooking(
                    { bookingId: bookingIds[c.booking] as string, reason: c.reason, correlationId: run },
                    d,
                  );
                case 'adjust':
                  return await adjustStock(
                    {
                      itemId: itemIds[c.item] as string,
                      delta: c.delta,
                      reason: 'property',
                      correlationId: run,
                    },
                    d,
                  );
                case 'expire':
                  return await expireDueReservations({ limit: 50 }, d);
                case 'tick':
                  return clock.advance(c.seconds * 1000);
              }
            } catch (error) {
              // Refusals are legitimate outcomes; anything else is a failure of the property.
              if (!(error instanceof DomainError)) throw error;
            }
          };

          for (const step of steps) {
            await Promise.all(step.map(apply));
            const reservations = (await Promise.all(bookingIds.map((b) => t.store.getBooking(b)))).flatMap(
              (s) => (s.reservation ? [s.reservation] : []),
            );
            for (const itemId of itemIds) {
              const item = await t.store.getItem(itemId);
              expect(item).toBeDefined();
              const { totalQuantity, availableQuantity, reservedQuantity, confirmedQuantity } = item!;
              expect(
                Math.min(totalQuantity, availableQuantity, reservedQuantity, confirmedQuantity),
              ).toBeGreaterThanOrEqual(0);
              expect(totalQuantity).toBe(availableQuantity + reservedQuantity + confirmedQuantity);
              const held = (status: string) =>
                reservations
                  .filter((r) => r.status === status)
                  .flatMap((r) => r.items)
                  .filter((l) => l.itemId === itemId)
                  .reduce((n, l) => n + l.quantity, 0);
              expect(reservedQuantity).toBe(held('RESERVED'));
              expect(confirmedQuantity).toBe(held('CONFIRMED'));
            }
          }
        },
      ),
      { numRuns: 40, seed: Number(process.env.PROPERTY_SEED ?? 20261124), endOnFailure: true },
    );
    expect(runs).toBeGreaterThanOrEqual(40);
  }, 240_000);
});
