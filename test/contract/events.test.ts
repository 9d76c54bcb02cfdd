import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findBreakingChanges } from '../../events/compatibility.ts';
import { allEvents, consumedEvents, eventBridgeEventSchema, publishedEvents } from '../../events/index.ts';
import { allJsonSchemas, type JsonSchema, schemaFileContent } from '../../events/json-schemas.ts';
import { loadSamples } from '../../events/samples/index.ts';
import { ManualClock } from '../../shared/adapters/clock.ts';
import type { Reservation } from '../../shared/domain/model.ts';
import {
  inventoryAdjusted,
  inventoryConfirmationFailed,
  inventoryConfirmed,
  inventoryReleased,
  inventoryReservationFailed,
  inventoryReserved,
} from '../../shared/domain/outgoing-events.ts';

const schemasDir = join(import.meta.dirname, '../../events/schemas');
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as JsonSchema;

describe('event catalog', () => {
  it('has a sample for every event, and every sample validates as an EventBridge event', () => {
    const samples = loadSamples();
    expect(new Set(samples.map((s) => s.detailType))).toEqual(new Set(Object.keys(allEvents)));
    for (const { file, detailType, event } of samples) {
      const contract = allEvents[detailType];
      expect(contract, file).toBeDefined();
      expect(event.source, file).toBe(contract?.type.source);
      const parsed = eventBridgeEventSchema(contract!.detail).safeParse(event);
      expect(parsed.success, `${file}: ${parsed.error?.message}`).toBe(true);
    }
  });

  it('committed JSON Schemas are what the zod modules generate (run `npm run schemas`)', () => {
    for (const [name, schema] of Object.entries(allJsonSchemas())) {
      expect(readFileSync(join(schemasDir, `${name}.json`), 'utf8'), name).toBe(schemaFileContent(schema));
    }
  });

  it('current schemas are compatible with their released baselines', () => {
    for (const [name, schema] of Object.entries(allJsonSchemas())) {
      const version = allEvents[name]?.type.schemaVersion;
      const baseline = readJson(join(schemasDir, 'baseline', `${name}.v${version}.json`));
      expect(findBreakingChanges(baseline, schema), name).toEqual([]);
    }
  });

  it('consumed events tolerate fields a producer adds; published events refuse unknown fields', () => {
    const [booking] = loadSamples().filter((s) => s.detailType === 'BookingCreated');
    const extended = structuredClone(booking!.event.detail);
    (extended.data as Record<string, unknown>).channel = 'mobile';
    expect(consumedEvents.BookingCreated.detail.safeParse(extended).success).toBe(true);
    const [reserved] = loadSamples().filter((s) => s.detailType === 'InventoryReserved');
    const widened = structuredClone(reserved!.event.detail);
    (widened.data as Record<string, unknown>).surprise = true;
    expect(publishedEvents.InventoryReserved.detail.safeParse(widened).success).toBe(false);
  });

  it('BookingCreated refuses a repeated item and an out-of-range quantity', () => {
    const [booking] = loadSamples().filter((s) => s.detailType === 'BookingCreated');
    const repeated = structuredClone(booking!.event.detail);
    repeated.data.items = [
      { itemId: 'ROOM-101', quantity: 1 },
      { itemId: 'ROOM-101', quantity: 2 },
    ];
    expect(consumedEvents.BookingCreated.detail.safeParse(repeated).success).toBe(false);
    const huge = structuredClone(booking!.event.detail);
    huge.data.items = [{ itemId: 'ROOM-101', quantity: 10_001 }];
    expect(consumedEvents.BookingCreated.detail.safeParse(huge).success).toBe(false);
  });
});

describe('breaking-change detection', () => {
  const baseline = () => readJson(join(schemasDir, 'baseline', 'InventoryReleased.v1.json'));
  const dataOf = (schema: JsonSchema) =>
    (schema.properties as Record<string, JsonSchema>).data as JsonSchema & {
      properties: Record<string, JsonSchema>;
      required: string[];
    };

  it('catches a removed field', () => {
    const current = baseline();
    delete dataOf(current).properties.releasedAt;
    expect(findBreakingChanges(baseline(), current)).toContain('$.data.releasedAt: property removed');
  });

  it('catches a retyped field', () => {
    const current = baseline();
    dataOf(current).properties.releasedAt = { type: 'number' };
    expect(findBreakingChanges(baseline(), current)).toEqual([
      '$.data.releasedAt: type changed from string to number',
    ]);
  });

  it('catches a newly required field and a removed enum value', () => {
    const current = baseline();
    dataOf(current).properties.note = { type: 'string' };
    dataOf(current).required.push('note');
    dataOf(current).properties.reason = { type: 'string', enum: ['PAYMENT_FAILED', 'EXPIRED', 'CANCELLED'] };
    expect(findBreakingChanges(baseline(), current).sort()).toEqual([
      '$.data.note: property became required',
      '$.data.reason: enum values removed: MANUAL',
    ]);
  });

  it('accepts a new optional field', () => {
    const current = baseline();
    dataOf(current).properties.note = { type: 'string' };
    expect(findBreakingChanges(baseline(), current)).toEqual([]);
  });
});

describe('what the domain publishes matches the published schemas', () => {
  const clock = new ManualClock('2026-11-24T10:00:00.000Z');
  const now = clock.now().toISOString();
  const reservation: Reservation = {
    reservationId: '9c7b6f3e-2a1d-5e4f-8b7a-6c5d4e3f2a1b',
    bookingId: '3f0c5a4e-8d7b-4a51-9b1e-6a2f1c9d4e11',
    status: 'RESERVED',
    items: [{ itemId: 'ROOM-101', quantity: 2 }],
    expiresAt: '2026-11-24T10:15:00.000Z',
    createdAt: now,
    correlationId: 'corr-1',
    version: 1,
    generation: 0,
  };
  const causation = { correlationId: 'corr-1', causationId: '11111111-1111-4111-8111-111111111111' };
  const cases = [
    inventoryReserved(reservation, causation, now),
    inventoryConfirmed(
      { ...reservation, status: 'CONFIRMED', confirmedAt: now, paymentId: 'p-1' },
      causation,
      now,
    ),
    inventoryReleased(
      { ...reservation, status: 'RELEASED', releaseReason: 'PAYMENT_FAILED', releasedAt: now },
      'RESERVED',
      causation,
      now,
    ),
    inventoryReleased(
      { ...reservation, status: 'EXPIRED', releaseReason: 'EXPIRED', releasedAt: now },
      'RESERVED',
      { correlationId: 'corr-1' },
      now,
    ),
    inventoryReservationFailed(reservation.bookingId, 'INSUFFICIENT_INVENTORY', 'short', causation, now, [
      { itemId: 'ROOM-101', requested: 2, available: 1 },
    ]),
    inventoryReservationFailed(reservation.bookingId, 'BOOKING_RELEASED', 'released', causation, now),
    inventoryConfirmationFailed(reservation.bookingId, 'pay-1', 'STOCK_UNAVAILABLE', causation, now, {
      paymentId: 'pay-1',
      reservationId: reservation.reservationId,
      items: [{ itemId: 'ROOM-101', requested: 2, available: 0 }],
    }),
    inventoryAdjusted(
      { itemId: 'ROOM-101', totalQuantity: 10, availableQuantity: 8, version: 3 },
      2,
      'restock',
      causation,
      now,
    ),
  ];

  it.each(cases.map((e) => [e.detailType, e] as const))('%s validates', (detailType, event) => {
    const contract = publishedEvents[detailType as keyof typeof publishedEvents];
    expect(event.source).toBe(contract.type.source);
    const parsed = contract.detail.safeParse(event.detail);
    expect(parsed.success, parsed.error?.message).toBe(true);
  });
});
