import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { parse } from '@aws-lambda-powertools/parser';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type * as z from 'zod/mini';
import { type EventContract, type EventMetadata, eventBridgeEventSchema } from '../../events/envelope.ts';
import { canonicalBookingId } from '../domain/limits.ts';
import type { LogPort } from '../domain/ports.ts';
import { countMetric, logger, logPortOf, metrics, recordLogger } from '../observability.ts';

/** The parsed event a consumer acts on. */
export interface IncomingEvent<D> {
  detailType: string;
  source: string;
  metadata: EventMetadata;
  data: D;
}

/** What a consumer did with one event: an outcome name, for logs and metrics. */
export interface ConsumerOutcome {
  outcome: string;
  /** A business metric to count, with its reason dimension. */
  metric?: { name: Parameters<typeof countMetric>[0]; reason?: string; value?: number };
}

/**
 * The Powertools idempotency key (JMESPath over `{ detailType, metadata, data }`) of each
 * consumed event: the booking, plus whatever tells two distinct events of one booking
 * apart. Payments are keyed by payment id (the event id when there is none), so a second
 * payment of a booking is never swallowed as a duplicate of the first.
 */
export const IDEMPOTENCY_KEYS: Readonly<Record<string, string>> = {
  PaymentSucceeded: '[detailType, data.bookingId, data.paymentId || metadata.eventId]',
};
const DEFAULT_IDEMPOTENCY_KEY = '[detailType, data.bookingId]';

export function idempotencyKeyOf(detailType: string): string {
  return IDEMPOTENCY_KEYS[detailType] ?? DEFAULT_IDEMPOTENCY_KEY;
}

/** A message that can never be processed: it fails alone and, after its receives, lands in the DLQ. */
export class MalformedMessageError extends Error {
  override name = 'MalformedMessageError' as const;
}

export interface ConsumerOptions<D> {
  contract: EventContract;
  persistenceStore: BasePersistenceLayer;
  /** At least 24 hours: EventBridge retries deliveries for up to 24 hours. */
  idempotencyExpirySeconds: number;
  /** Applies one event; `log` carries this record's booking, correlation and event ids. */
  handle: (event: IncomingEvent<D>, log: LogPort) => Promise<ConsumerOutcome>;
}

/**
 * An SQS consumer of one EventBridge event type, with partial batch responses. This is
 * the one place that decides acknowledge or retry.
 *
 * 1. Each record's body is parsed, with the Powertools parser, as an EventBridge event whose
 *    detail must match the contract. (The parser's own EventBridge/SQS envelopes are built
 *    on classic zod, about 440 KB per bundle, so the envelope is restated in zod/mini.) A malformed record
 *    fails alone; the rest of the batch goes on.
 * 2. Each record logs through its own child logger carrying its correlationId, bookingId
 *    and eventId: records run in parallel and never share log keys.
 * 3. Processing is wrapped in Powertools idempotency (keyed on the booking and, for
 *    payments, the payment), a backstop behind the use cases' recorded decisions (which
 *    are the real guarantee).
 * 4. Acknowledge or retry: the use cases return every refusal as a recorded, answered
 *    decision, so a record is acknowledged exactly when `handle` returns. Anything thrown
 *    (a lost race after its retries, throttling, a malformed message) fails the record:
 *    SQS delivers it again and, after its receives, moves it to the DLQ for redrive.
 * 5. A batch whose records all fail is reported item by item, like any other batch,
 *    instead of failing the invocation.
 */
export function createConsumer<D extends { bookingId: string }>(options: ConsumerOptions<D>) {
  const schema = eventBridgeEventSchema(options.contract.detail);
  const config = new IdempotencyConfig({
    eventKeyJmesPath: idempotencyKeyOf(options.contract.type.detailType),
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: options.idempotencyExpirySeconds,
  });
  const processOnce = makeIdempotent(
    (event: IncomingEvent<D>, log: LogPort): Promise<ConsumerOutcome> => options.handle(event, log),
    { persistenceStore: options.persistenceStore, config },
  );
  const processor = new BatchProcessor(EventType.SQS);

  const recordHandler = async (record: SQSRecord) => {
    // Powertools parser (safe mode) with the EventBridge event schema restated in zod/mini.
    const parsed = parse(parseJson(record.body), undefined, schema as never, true) as
      | { success: true; data: unknown }
      | { success: false; error: Error };
    if (!parsed.success) {
      const cause = (parsed.error as Error & { cause?: { issues?: unknown[] } }).cause;
      logger.error('Malformed message', {
        messageId: record.messageId,
        issues: cause?.issues?.slice(0, 5) ?? parsed.error.message,
      });
      throw new MalformedMessageError(
        `Message ${record.messageId} does not match ${options.contract.type.detailType}`,
      );
    }
    const event = parsed.data as unknown as {
      'detail-type': string;
      source: string;
      detail: { metadata: EventMetadata; data: D };
    };
    if (event['detail-type'] !== options.contract.type.detailType) {
      throw new MalformedMessageError(
        `Expected ${options.contract.type.detailType}, got ${event['detail-type']}`,
      );
    }
    const incoming: IncomingEvent<D> = {
      detailType: event['detail-type'],
      source: event.source,
      metadata: event.detail.metadata,
      data: { ...event.detail.data, bookingId: canonicalBookingId(event.detail.data.bookingId) },
    };
    const log = recordLogger({
      correlationId: incoming.metadata.correlationId,
      bookingId: incoming.data.bookingId,
      eventId: incoming.metadata.eventId,
    });
    try {
      const result = await processOnce(incoming, logPortOf(log));
      log.info('Event processed', { detailType: incoming.detailType, outcome: result.outcome });
      if (result.metric) countMetric(result.metric.name, result.metric.value ?? 1, result.metric.reason);
    } catch (error) {
      log.warn('Event not processed; left for redelivery', {
        detailType: incoming.detailType,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      throw error;
    }
  };

  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    logger.addContext(context);
    config.registerLambdaContext(context);
    try {
      return await processPartialResponse(event, recordHandler, processor, {
        context,
        throwOnFullBatchFailure: false,
      });
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

export type DetailData<C extends EventContract> = z.infer<C['detail']> extends { data: infer D } ? D : never;
