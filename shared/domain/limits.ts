/**
 * The service's limits, written once. The HTTP schemas, the event schemas, the OpenAPI
 * document, the domain's own validation and the CDK stack import them from here.
 */

/** Item ids as the API and the events accept them. */
export const ITEM_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/**
 * Lines per booking. A decision's transaction writes the record and one row per line (the
 * item), plus a waitlist entry per line when the booking joins, leaves or is served:
 * 1 + 2 × 25 = 51 of a transaction's 100 actions. (The ledger and hold rows are written from
 * the change stream, outside it.)
 */
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

/** Waitlist tiers, served in this order (then first come, first served). */
export const WAITLIST_PRIORITIES = ['premium', 'standard'] as const;
export type WaitlistPriority = (typeof WAITLIST_PRIORITIES)[number];
/** How long a booking may wait on the waitlist, as a caller asks (`waitlist.maxWaitSeconds`). */
export const MIN_WAITLIST_SECONDS = 1;
export const MAX_WAITLIST_SECONDS = 86_400;
/**
 * The waitlist's anti-starvation rule (docs/saga.md "Waitlist"): serving an item walks its
 * waitlist in order and skips a booking whose lines do not all fit, but not once that
 * booking has waited this long: from then on the item's freed units are kept for it (no
 * later booking is served on that item, and new reserves of the item are short) until it is
 * served or leaves. A large request is overtaken for at most this long; a small one waits
 * behind it at most for the large one's `maxWaitSeconds`.
 */
export const WAITLIST_OVERTAKE_SECONDS = 300;
/** Waitlist entries one serving pass reads per item: bounds its cost per freed unit. */
export const WAITLIST_SERVE_SCAN = 25;
