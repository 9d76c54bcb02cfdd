import { ManualClock } from '../../shared/adapters/clock.ts';
import type {
  Clock,
  Dependencies,
  EventPublisher,
  InventoryStore,
  LogPort,
  OutgoingEvent,
} from '../../shared/domain/ports.ts';

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

export function deps(
  store: InventoryStore,
  options: { publisher?: RecordingPublisher; clock?: Clock } = {},
): Dependencies & { publisher: RecordingPublisher; clock: Clock } {
  return {
    store,
    publisher: options.publisher ?? new RecordingPublisher(),
    clock: options.clock ?? new ManualClock(),
    log: silentLog,
  };
}
