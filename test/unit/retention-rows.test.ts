import { describe, expect, it } from 'vitest';
import { reservationRow } from '../../shared/adapters/dynamodb-store.ts';
import type { Reservation } from '../../shared/domain/model.ts';
import { FINISHED_ROW_RETENTION_SECONDS, TTL_ATTRIBUTE } from '../../shared/domain/retention.ts';

const base: Reservation = {
  reservationId: 'r',
  bookingId: 'b',
  status: 'RESERVED',
  items: [{ itemId: 'A', quantity: 1 }],
  expiresAt: '2026-01-01T00:15:00.000Z',
  createdAt: '2026-01-01T00:00:00.000Z',
  correlationId: 'c',
  version: 1,
  generation: 0,
  decidedAt: '2026-01-02T00:00:00.000Z',
};

describe('finished booking records expire; live ones never do', () => {
  const ttlOf = (r: Reservation) => reservationRow(r)[TTL_ATTRIBUTE];
  it.each(['RELEASED', 'EXPIRED', 'REFUSED'] as const)(
    '%s gets a TTL of the retention after its decision',
    (status) => {
      expect(ttlOf({ ...base, status })).toBe(
        Date.parse('2026-01-02T00:00:00.000Z') / 1000 + FINISHED_ROW_RETENTION_SECONDS,
      );
    },
  );
  it('a booking cancelled before it was reserved gets one; one waiting for BookingCreated does not', () => {
    expect(ttlOf({ ...base, status: 'PENDING', cancelled: true })).toBeTypeOf('number');
    expect(ttlOf({ ...base, status: 'PENDING' })).toBeUndefined();
  });
  it.each(['RESERVED', 'CONFIRMED'] as const)(
    '%s has none (a cancellation may come much later)',
    (status) => {
      expect(ttlOf({ ...base, status })).toBeUndefined();
    },
  );
});
