import { randomUUID } from 'node:crypto';
import type { SQSEvent } from 'aws-lambda';
import { samplesOf } from '../../events/samples/index.ts';
import type { IncomingEvent } from '../../shared/consumers/consumer.ts';

export type SagaEventType = 'BookingCreated' | 'PaymentSucceeded' | 'PaymentFailed' | 'BookingCancelled';

/** The producer's sample event of a type, re-aimed at one booking and its items. */
export function sampleFor(
  type: SagaEventType,
  bookingId: string,
  items: { itemId: string; quantity: number }[] = [],
): { eventBridge: Record<string, unknown>; incoming: IncomingEvent<any> } {
  const sample = structuredClone(samplesOf(type)[0]);
  if (!sample) throw new Error(`no sample for ${type}`);
  const eventId = randomUUID();
  sample.id = randomUUID();
  sample.detail.metadata.eventId = eventId;
  sample.detail.metadata.correlationId = `corr-${bookingId}`;
  sample.detail.data.bookingId = bookingId;
  if (type === 'BookingCreated') sample.detail.data.items = items;
  return {
    eventBridge: sample as unknown as Record<string, unknown>,
    incoming: {
      detailType: type,
      source: sample.source,
      metadata: sample.detail.metadata as IncomingEvent<unknown>['metadata'],
      data: sample.detail.data,
    },
  };
}

/** An SQS batch as Lambda receives it from an event source mapping. */
export function sqsBatch(bodies: unknown[], queue = 'queue'): SQSEvent {
  return {
    Records: bodies.map((body, i) => ({
      messageId: randomUUID(),
      receiptHandle: `rh-${i}`,
      body: typeof body === 'string' ? body : JSON.stringify(body),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(Date.now()),
        SenderId: 'events.amazonaws.com',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:us-east-1:123456789012:${queue}`,
      awsRegion: 'us-east-1',
    })),
  };
}
