import { ManualClock } from '../../shared/adapters/clock.ts';
import type {
  Clock,
  Dependencies,
  EventPublisher,
  InventoryStore,
  LogPort,
  OutgoingEvent,
} from '../../shared/domain/ports.ts';
import type { StreamedStore } from './stream.ts';

/** Records what would have been put on the bus. */
export class RecordingPublisher implements EventPublisher {
  readonly published: OutgoingEvent[] = [];
  /** Make the next `n` publish calls fail. */
  failNext = 0;
  async publish(events: readonly OutgoingEvent[]): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('injected publish failure');
    }
    this.published.push(...events);
  }
  ids(): string[] {
    return this.published.map((e) => e.detail.metadata.eventId);
  }
  ofType(detailType: string): OutgoingEvent[] {
    return this.published.filter((e) => e.detailType === detailType);
  }
}

export const silentLog: LogPort = { info() {}, warn() {}, error() {} };

/**
 * A use case's ports for a test, and the recorder of what reached the bus. When the store
 * is a streamed store (test/support/stream.ts), its change stream is published into
 * `publisher` through the publisher function's own code, as the stream would.
 */
export function deps(
  store: InventoryStore,
  options: { publisher?: RecordingPublisher; clock?: Clock } = {},
): Dependencies & { publisher: RecordingPublisher; clock: Clock } {
  const publisher = options.publisher ?? new RecordingPublisher();
  const streamed = store as Partial<StreamedStore>;
  if (typeof streamed.publishTo === 'function') streamed.publishTo(publisher);
  return {
    store,
    publisher,
    clock: options.clock ?? new ManualClock(),
    log: silentLog,
  };
}
