export * from './apply-saga-input.ts';
export * from './confirm-booking.ts';
export * from './expire-reservations.ts';
export * from './manage-stock.ts';
export * from './queries.ts';
export * from './reconcile.ts';
export * from './release-booking.ts';
export * from './reserve-booking.ts';
export { MAX_DECISION_ATTEMPTS, validateLines } from './shared.ts';
