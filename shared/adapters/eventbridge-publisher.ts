import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
  type PutEventsResultEntry,
} from '@aws-sdk/client-eventbridge';
import type { EventPublisher, OutgoingEvent } from '../domain/ports.ts';
import { type RetryPolicy, withJitteredRetries } from './retry.ts';

/** PutEvents takes at most 10 entries a call. */
const BATCH = 10;

/** Some entries of a PutEvents call were not accepted. */
export class PublishError extends Error {
  override name = 'PublishError';
  constructor(readonly failed: { eventId: string; errorCode?: string; errorMessage?: string }[]) {
    super(
      `EventBridge refused ${failed.length} event(s): ${failed.map((f) => f.errorCode ?? 'unknown').join(', ')}`,
    );
  }
}

/**
 * Publishes on one bus in batches of ten, retrying only the entries that failed (a
 * PutEvents call can partly succeed), a bounded number of times.
 */
export class EventBridgePublisher implements EventPublisher {
  readonly #client: EventBridgeClient;
  readonly #busName: string;
  readonly #retry: RetryPolicy;

  constructor(options: { client: EventBridgeClient; eventBusName: string; retry?: RetryPolicy }) {
    this.#client = options.client;
    this.#busName = options.eventBusName;
    this.#retry = options.retry ?? { attempts: 4, baseDelayMs: 50, maxDelayMs: 1000 };
  }

  async publish(events: readonly OutgoingEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += BATCH) {
      await this.#publishBatch(events.slice(i, i + BATCH));
    }
  }

  async #publishBatch(batch: readonly OutgoingEvent[]): Promise<void> {
    let pending = [...batch];
    await withJitteredRetries(
      async () => {
        const { Entries = [] } = await this.#client.send(
          new PutEventsCommand({ Entries: pending.map((e) => this.#entry(e)) }),
        );
        const failed = pending.flatMap((event, index) => {
          const result: PutEventsResultEntry | undefined = Entries[index];
          return !result || result.ErrorCode ? [{ event, result }] : [];
        });
        pending = failed.map((f) => f.event);
        if (failed.length > 0) {
          throw new PublishError(
            failed.map(({ event, result }) => ({
              eventId: event.detail.metadata.eventId,
              ...(result?.ErrorCode ? { errorCode: result.ErrorCode } : {}),
              ...(result?.ErrorMessage ? { errorMessage: result.ErrorMessage } : {}),
            })),
          );
        }
      },
      (error) => error instanceof PublishError,
      this.#retry,
    );
  }

  #entry(event: OutgoingEvent): PutEventsRequestEntry {
    return {
      EventBusName: this.#busName,
      Source: event.source,
      DetailType: event.detailType,
      Detail: JSON.stringify(event.detail),
      Time: new Date(event.detail.metadata.occurredAt),
    };
  }
}
