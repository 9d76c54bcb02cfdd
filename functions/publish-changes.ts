import { publishChanges } from '../shared/adapters/change-stream.ts';
import { eventPublisher } from '../shared/composition.ts';
import { streamConsumer } from '../shared/consumers/stream-consumer.ts';
import { logPort } from '../shared/observability.ts';

const publisher = eventPublisher();

/**
 * The inventory table's change stream → EventBridge: the transactional outbox is the
 * stream itself. Changes are published in stream order; the first change that cannot be
 * published is where the event source mapping retries from.
 */
export const handler = streamConsumer(async (changes) => {
  const result = await publishChanges(changes, publisher, logPort);
  return { done: result.published, failedAt: result.failedAt };
}, 'EventsPublished');
