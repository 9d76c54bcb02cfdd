/**
 * The service's limits, written once. The HTTP schemas, the event schemas, the OpenAPI
 * document, the domain's own validation and the CDK stack import them from here.
 */

/** Item ids as the API and the events accept them. */
export const ITEM_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Lines per booking: 25 keeps a reserve (reservation, lines, ledger, holds) inside one 100-action transaction. */
export const MAX_LINES = 25;
/** Units one line may ask for. */
export const MIN_LINE_QUANTITY = 1;
export const MAX_LINE_QUANTITY = 10_000;
/** Default hold length: 15 minutes. */
export const DEFAULT_RESERVATION_TTL_SECONDS = 900;
/** Hold lengths a caller may ask for. */
export const MIN_RESERVATION_TTL_SECONDS = 1;
export const MAX_RESERVATION_TTL_SECONDS = 3600;
/** Payment ids as the payment service sends them. */
export const MAX_PAYMENT_ID_LENGTH = 128;

/**
 * Booking ids are UUIDs compared in their canonical lower-case form everywhere (keys,
 * events, HTTP): `ABC…` and `abc…` are the same booking.
 */
export function canonicalBookingId(bookingId: string): string {
  return bookingId.toLowerCase();
}
