import { processChanges } from '../shared/adapters/change-stream.ts';
import { changeProjector, eventPublisher } from '../shared/composition.ts';
import { streamConsumer } from '../shared/consumers/stream-consumer.ts';
import { logPort } from '../shared/observability.ts';

const ports = { publisher: eventPublisher(), projector: changeProjector() };

/**
 * The inventory table's change stream → the ledger and hold rows, then EventBridge: the
 * transactional outbox is the stream itself. Changes are handled in stream order; the
 * first change that cannot be handled is where the event source mapping retries from.
 */
export const handler = streamConsumer(async (changes) => {
  const result = await processChanges(changes, ports, logPort);
  return { done: result.published, failedAt: result.failedAt };
}, 'EventsPublished');
