import { TableStream } from '../../local/table-stream.ts';
import {
  type ChangeProjector,
  type ChangeRecord,
  processChanges,
} from '../../shared/adapters/change-stream.ts';
import type { EventPublisher, InventoryStore } from '../../shared/domain/ports.ts';

export { TableStream };

/** A store whose committed changes reach a publisher through the table's stream. */
export interface StreamedStore extends InventoryStore {
  /** Where the stream's events go from now on (the deps() of the running test). */
  publishTo(publisher: EventPublisher): void;
  /** Publishes whatever the stream holds now. */
  flush(): Promise<void>;
}

const MUTATIONS = new Set(['writeReservation', 'createItem', 'changeStock']);

/** For a store that keeps its own ledger and holds (the in-memory one): nothing to write. */
export const NO_PROJECTION: ChangeProjector = { project: async () => ({ projected: 0 }) };

/** Where the stream's events go while no test listens: nowhere. */
const discard: EventPublisher = { publish: async () => undefined };

/**
 * Wraps a store so that after every mutating call, successful or not (a crash after the
 * commit still reaches the stream), the stream is drained through the change-stream
 * function's own code: the projection (ledger and hold rows) is written, and the events go
 * to the current publisher.
 */
export function streamedStore(
  store: InventoryStore,
  stream: { drain(): Promise<ChangeRecord[]> },
  projector: ChangeProjector,
): StreamedStore {
  let publisher: EventPublisher | undefined;
  let chain = Promise.resolve();
  // Changes not yet published: as the event source mapping does, a failed change and the
  // ones after it are delivered again on the next round.
  let backlog: ChangeRecord[] = [];
  const flush = () => {
    // Serialized, so concurrent writers never publish one change twice or out of order.
    chain = chain.then(async () => {
      backlog.push(...(await stream.drain()));
      if (backlog.length === 0) return;
      // With nobody listening, the events are dropped; the projection is still written.
      const result = await processChanges(backlog, { publisher: publisher ?? discard, projector });
      const failed =
        result.failedAt === undefined ? -1 : backlog.findIndex((c) => c.sequenceNumber === result.failedAt);
      backlog = failed < 0 ? [] : backlog.slice(failed);
    });
    return chain;
  };
  return new Proxy(store, {
    has(target, property) {
      return property === 'publishTo' || property === 'flush' || Reflect.has(target, property);
    },
    get(target, property, receiver) {
      if (property === 'publishTo') return (p: EventPublisher) => (publisher = p);
      if (property === 'flush') return flush;
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      if (!MUTATIONS.has(String(property))) return value.bind(target);
      return async (...args: unknown[]) => {
        try {
          return await value.apply(target, args);
        } finally {
          await flush();
        }
      };
    },
  }) as StreamedStore;
}
