import { serveChangedItems } from '../shared/adapters/waitlist-changes.ts';
import { domainDependencies } from '../shared/composition.ts';
import { streamConsumer } from '../shared/consumers/stream-consumer.ts';

const deps = domainDependencies();

/**
 * The inventory table's change stream → the waitlist: when an item's row shows units
 * freed (or a booking joining or leaving) while bookings wait on it, its waitlist is
 * served in order. The first change of an item that failed is where the mapping retries.
 */
export const handler = streamConsumer(async (changes) => {
  const result = await serveChangedItems(changes, deps);
  return { done: result.served, failedAt: result.failedAt };
}, 'WaitlistServed');
