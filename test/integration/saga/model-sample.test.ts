import { randomUUID } from 'node:crypto';
import {
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../shared/adapters/aws-clients.ts';
import { DynamoDbInventoryStore } from '../../../shared/adapters/dynamodb-store.ts';
import { eventIdFor } from '../../../shared/domain/event-ids.ts';
import type { Reservation } from '../../../shared/domain/model.ts';
import { initialState, type Stock, step } from '../../model/reference-model.ts';
import { brokenRules } from '../../model/rules.ts';
import {
  expected,
  INPUTS,
  type InputName,
  multisets,
  observed,
  runGroups,
  SagaHarness,
  STOCK_TOTAL,
  TTL_SECONDS,
} from '../../model/scenarios.ts';
import { createTestTables, localClient, seedItem, type TestTables } from '../../support/dynamo.ts';
import { RecordingPublisher } from '../../support/fakes.ts';
import { MODEL_SEED } from '../../support/model-seed.ts';
import { streamedStore } from '../../support/stream.ts';

/**
 * The saga model's space sampled on DynamoDB Local: random multisets of up to four
 * distinct inputs of one booking, each delivered once or twice, in a random order cut
 * into groups whose deliveries run concurrently. The end state must be the model's for
 * some order of each group's deliveries, and every rule must hold. Then many bookings
 * share scarce stock while faults are injected (TransactionConflict, throttling, a crash
 * after the commit, PutEvents failures): every delivery that fails is delivered again,
 * as SQS would, and after every step the invariant and the counters hold; at the end
 * every recorded decision's answers are on the bus (through the table's stream) with
 * their stable ids, and no answer under two ids.
 */

let t: TestTables;
beforeAll(async () => {
  t = await createTestTables('model');
});
afterAll(async () => {
  await t.drop();
});

const SETS = multisets(4).filter((s) => s.length > 0);
const SEED = MODEL_SEED;
const RUNS = Number(process.env.MODEL_DDB_RUNS ?? 80);

/** Every order a run's groups could have been applied in (each group's deliveries permuted). */
function linearizations(groups: readonly InputName[][]): InputName[][] {
  let orders: InputName[][] = [[]];
  for (const group of groups) {
    const perms = permutations(group);
    orders = orders.flatMap((prefix) => perms.map((p) => [...prefix, ...p]));
  }
  return orders;
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

describe('saga model on DynamoDB Local', () => {
  it(`a random sample of the interleavings, with concurrent delivery groups (${RUNS} runs, seed ${SEED})`, async () => {
    let deliveries = 0;
    let concurrentRuns = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: SETS.length - 1 }),
        fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
        fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
        fc.constantFrom<Stock>('ample', 'short'),
        async (setIndex, keys, cuts, stock) => {
          const set = SETS[setIndex] as InputName[];
          const order = set
            .map((name, i) => ({ name, key: keys[i] ?? 0 }))
            .sort((a, b) => a.key - b.key)
            .map((x) => x.name);
          // Cut into groups of at most three concurrent deliveries.
          const groups: InputName[][] = [];
          for (const [i, name] of order.entries()) {
            const last = groups.at(-1);
            if (!last || cuts[i] || last.length >= 3) groups.push([name]);
            else last.push(name);
          }
          const bookingId = randomUUID();
          const itemId = `M-${bookingId.slice(0, 8)}`;
          await seedItem(t.doc, t.tableName, itemId, STOCK_TOTAL[stock]);
          const run = await runGroups(groups, stock, bookingId, t.store, itemId);
          deliveries += order.length;
          if (groups.some((g) => g.length > 1)) concurrentRuns++;
          const got = JSON.stringify(observed(run));
          const possible = linearizations(groups).map((o) => {
            let model = initialState();
            for (const name of o) model = step(model, INPUTS[name], stock, bookingId).next;
            return JSON.stringify(expected(model));
          });
          const broken = brokenRules(stock, bookingId, run);
          if (!possible.includes(got)) broken.push(`no order of the groups gives ${got}`);
          if (broken.length > 0) {
            throw new Error(`${groups.map((g) => g.join('+')).join(' → ')} [${stock}]: ${broken.join('; ')}`);
          }
        },
      ),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    console.info(
      `saga model on DynamoDB Local: ${RUNS} runs, ${deliveries} deliveries, ${concurrentRuns} with concurrent groups (seed ${SEED})`,
    );
  });
});

/** A store on DynamoDB Local whose transactions fail at random, before or after they apply. */
function faultyStore(random: () => number, rate: number) {
  const client = localClient(t.endpoint);
  const injected = { conflict: 0, throttle: 0, crashAfterCommit: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'TransactWriteItemsCommand' || random() >= rate) return next(args);
      const pick = random();
      if (pick < 0.4) {
        injected.conflict++;
        throw new TransactionCanceledException({
          message: 'Transaction cancelled [TransactionConflict]',
          $metadata: {},
          CancellationReasons: [
            { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' },
          ],
        });
      }
      if (pick < 0.7) {
        injected.throttle++;
        throw new ProvisionedThroughputExceededException({ message: 'Throughput exceeded', $metadata: {} });
      }
      // The write lands; the caller never hears of it (a crash or a lost response).
      const result = await next(args);
      injected.crashAfterCommit++;
      void result;
      throw new Error('injected crash after commit');
    },
    { step: 'initialize', name: 'faultInjector' },
  );
  const plain = new DynamoDbInventoryStore({
    client: createDocumentClient(client),
    tableName: t.tableName,
    conflictRetry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 3 },
  });
  // Its changes reach the bus through the table's stream, as in AWS.
  return { store: streamedStore(plain, t.stream, t.projector), injected };
}

/** A small seeded PRNG (mulberry32), so a failing run can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

describe('many bookings, scarce stock, injected faults', () => {
  it(`random concurrent sagas on a few items keep the invariant, the rules and every answer (seed ${SEED})`, async () => {
    const random = prng(SEED);
    const { store, injected } = faultyStore(random, 0.25);
    const items = ['S-1', 'S-2'].map((id) => `${id}-${SEED}-${randomUUID().slice(0, 4)}`);
    for (const id of items) await seedItem(t.doc, t.tableName, id, 3);
    // One bus for every booking; PutEvents fails now and then (the stream delivers again).
    const bus = new RecordingPublisher();
    const bookings = Array.from({ length: 10 }, (_, i) => {
      const harness = new SagaHarness(store, randomUUID(), items[i % items.length], bus);
      const names: InputName[] = ['BC', 'BC'];
      for (const name of ['PS1', 'PS2', 'PF', 'CX'] as InputName[]) if (random() < 0.5) names.push(name);
      const queue = names.sort(() => random() - 0.5);
      return { harness, queue, delivered: [] as InputName[] };
    });
    // All bookings share one bus: one publisher view of what reached it.
    const published = new Set<string>();
    let steps = 0;
    let redeliveries = 0;
    while (bookings.some((b) => b.queue.length > 0)) {
      // A step: a random handful of pending deliveries run concurrently; sometimes time passes.
      if (random() < 0.15) {
        for (const b of bookings) b.harness.clock.advance((TTL_SECONDS + 1) * 1000);
        bookings[0]?.queue.unshift('TICK');
      }
      const batch = bookings.filter((b) => b.queue.length > 0 && random() < 0.6);
      await Promise.all(
        batch.map(async (b) => {
          const name = b.queue[0] as InputName;
          if (random() < 0.1) bus.failNext = 1;
          for (let attempt = 1; ; attempt++) {
            try {
              await b.harness.deliver(name);
              break;
            } catch (error) {
              // SQS delivers a failed message again (the DLQ only after its receives).
              if (attempt >= 20) throw error;
              redeliveries++;
            }
          }
          b.queue.shift();
          b.delivered.push(name);
        }),
      );
      steps++;
      // After every step: the invariant, and counters equal to the records.
      await expectCountersMatchRecords(
        items,
        bookings.map((b) => b.harness.bookingId),
      );
    }
    // The stream delivers again what PutEvents refused, until it is on the bus.
    for (let i = 0; i < 5; i++) await store.flush();
    for (const id of bus.ids()) published.add(id);
    for (const b of bookings) {
      const { reservation } = await t.store.getBooking(b.harness.bookingId);
      for (const id of answersOf(reservation)) {
        expect(published.has(id), `answer ${id} of ${b.harness.bookingId} never published`).toBe(true);
      }
      const run = {
        model: initialState(),
        groups: b.delivered.map((n) => [n]),
        publishedPerGroup: [],
        published,
        events: bus.published,
        ...(reservation ? { record: reservation } : {}),
        heldAfter: [],
        othersHeld: 0,
      };
      // Rules 2 and 4 per booking (exactly one answer), on everything the bus received.
      const broken = brokenRules('short', b.harness.bookingId, run).filter(
        (r) => r.startsWith('rule 2') || r.startsWith('rule 4'),
      );
      expect(broken, `${b.harness.bookingId}: ${b.delivered.join(' → ')}`).toEqual([]);
    }
    console.info(
      `many bookings: ${bookings.length} bookings, ${steps} steps, ${redeliveries} redeliveries, injected ${JSON.stringify(injected)} (seed ${SEED})`,
    );
    expect(injected.conflict + injected.throttle + injected.crashAfterCommit).toBeGreaterThan(0);
  });
});

/** The answers a record says were given: each must have reached the bus. */
function answersOf(record: Reservation | undefined): string[] {
  if (!record) return [];
  const ids: string[] = [];
  const b = record.bookingId;
  if (record.status === 'REFUSED') ids.push(eventIdFor(b, 'RESERVATION_FAILED'));
  if (record.status === 'RESERVED' || record.status === 'CONFIRMED')
    ids.push(eventIdFor(b, 'RESERVED', record.generation));
  if (record.status === 'CONFIRMED') ids.push(eventIdFor(b, 'CONFIRMED', record.generation));
  for (const [key, decision] of Object.entries(record.payments ?? {})) {
    if (decision !== 'PENDING' && decision !== 'CONFIRMED')
      ids.push(eventIdFor(b, `CONFIRMATION_FAILED:${key}`));
  }
  return ids;
}

async function expectCountersMatchRecords(items: string[], bookingIds: string[]): Promise<void> {
  const records = await Promise.all(bookingIds.map(async (id) => (await t.store.getBooking(id)).reservation));
  for (const itemId of items) {
    const item = await t.store.getItem(itemId);
    if (!item) throw new Error(`item ${itemId} missing`);
    expect(item.totalQuantity).toBe(item.availableQuantity + item.reservedQuantity + item.confirmedQuantity);
    const sum = (status: string) =>
      records.reduce(
        (n, r) => n + (r?.status === status ? (r.items.find((l) => l.itemId === itemId)?.quantity ?? 0) : 0),
        0,
      );
    expect({ reserved: item.reservedQuantity, confirmed: item.confirmedQuantity }).toEqual({
      reserved: sum('RESERVED'),
      confirmed: sum('CONFIRMED'),
    });
  }
}
