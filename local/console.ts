import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { AwsError, sendJson } from './aws-protocol.ts';
import type { LocalEventBridge } from './eventbridge.ts';
import type { LocalLogs } from './logs.ts';
import type { DeadLetterQueue } from './provisioning.ts';
import type { LocalSqs } from './sqs.ts';

/** Where the console lives on the edge. */
export const CONSOLE_PATH = '/_local/console';

const STATIC: Record<string, { file: string; type: string }> = {
  '': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

export interface ConsoleContext {
  ddb: DynamoDBClient;
  tableName: string | undefined;
  bus: LocalEventBridge;
  logs: LocalLogs;
  sqs: LocalSqs;
  dlqs: DeadLetterQueue[];
  invoke(functionId: string, event: unknown, trigger: string): Promise<unknown>;
}

/**
 * The local console: plain HTML and JavaScript under `/_local/console` (no build step)
 * and the JSON it reads under `/_local/console/api/…`: items with their counters,
 * bookings by state, one booking's timeline (events, invocations, log lines), a
 * correlation id's trail, dead-letter queues and their redrive.
 */
export function consoleHandler(ctx: ConsoleContext) {
  const doc = DynamoDBDocumentClient.from(ctx.ddb);
  const rows = async (entity: string) => {
    if (!ctx.tableName) return [];
    const out: Record<string, any>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(
        new ScanCommand({
          TableName: ctx.tableName,
          FilterExpression: '#entity = :entity',
          ExpressionAttributeNames: { '#entity': 'entity' },
          ExpressionAttributeValues: { ':entity': entity },
          ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}),
        }),
      );
      out.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return out;
  };

  const timeline = (filter: { bookingId?: string; correlationId?: string }) => {
    const events = ctx.bus.query(filter);
    const correlationIds = new Set(
      events.map((e) => (e.detail as { metadata?: { correlationId?: string } })?.metadata?.correlationId),
    );
    const byBooking = ctx.logs.trail(filter);
    const byCorrelation = [...correlationIds]
      .filter((c): c is string => typeof c === 'string' && c !== filter.correlationId)
      .map((correlationId) => ctx.logs.trail({ correlationId }));
    const invocations = new Map(
      [byBooking, ...byCorrelation].flatMap((t) => t.invocations).map((i) => [i.requestId, i]),
    );
    const lines = new Map([byBooking, ...byCorrelation].flatMap((t) => t.lines).map((l) => [l.eventId, l]));
    const entries = [
      ...events.map((e) => ({ at: e.receivedAt, kind: 'event' as const, event: e })),
      ...[...invocations.values()].map((i) => ({
        at: i.startedAt,
        kind: 'invocation' as const,
        invocation: i,
      })),
    ].sort((a, b) => a.at - b.at);
    return {
      correlationIds: [...correlationIds].filter(Boolean),
      timeline: entries,
      logs: [...lines.values()].sort((a, b) => a.timestamp - b.timestamp),
    };
  };

  const redrive = async (dlqName: string) => {
    const dlq = ctx.dlqs.find((d) => d.name === dlqName);
    if (!dlq) throw new AwsError('NotFound', `${dlqName} is not a dead-letter queue`, 404);
    const url = ctx.sqs.queueUrl(dlq.name);
    let moved = 0;
    for (;;) {
      const { Messages = [] } = await ctx.sqs.call<{
        Messages?: { Body: string; ReceiptHandle: string }[];
      }>('ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 30 });
      if (Messages.length === 0) break;
      for (const m of Messages) {
        if (dlq.source.kind === 'sqs') await ctx.sqs.send(dlq.source.name, m.Body);
        else
          void ctx.invoke(dlq.source.name, JSON.parse(m.Body), `redrive:${dlq.name}`).catch(() => undefined);
        await ctx.sqs.call('DeleteMessage', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle });
        moved++;
      }
    }
    return { moved, from: dlq.name, to: dlq.source.name };
  };

  return async (method: string, url: URL, res: ServerResponse): Promise<void> => {
    const sub = url.pathname.slice(CONSOLE_PATH.length);
    const asset = STATIC[sub];
    if (asset && method === 'GET') {
      res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-store' });
      return void res.end(readFileSync(new URL(`./console/${asset.file}`, import.meta.url)));
    }
    const param = (name: string) => url.searchParams.get(name) ?? undefined;
    try {
      if (method === 'GET' && sub === '/api/items') {
        const items = (await rows('ITEM')).map((i) => ({
          itemId: i.itemId,
          name: i.name,
          total: i.totalQuantity,
          available: i.availableQuantity,
          reserved: i.reservedQuantity,
          confirmed: i.confirmedQuantity,
        }));
        return sendJson(
          res,
          200,
          items.sort((a, b) => String(a.itemId).localeCompare(String(b.itemId))),
        );
      }
      if (method === 'GET' && sub === '/api/bookings') {
        const bookings = (await rows('RESERVATION')).map(({ pk: _pk, sk: _sk, entity: _e, ...r }) => r);
        const byState: Record<string, unknown[]> = {};
        for (const b of bookings.sort((a, b) =>
          String(b.updatedAt ?? '').localeCompare(String(a.updatedAt ?? '')),
        )) {
          const state = String(b.status);
          byState[state] = [...(byState[state] ?? []), b];
        }
        return sendJson(res, 200, byState);
      }
      const booking = /^\/api\/bookings\/([^/]+)$/.exec(sub);
      if (method === 'GET' && booking) {
        const bookingId = decodeURIComponent(booking[1] ?? '');
        const row = (await rows('RESERVATION')).find((r) => r.bookingId === bookingId);
        const { pk: _pk, sk: _sk, entity: _e, ...reservation } = row ?? {};
        return sendJson(res, 200, {
          bookingId,
          reservation: row ? reservation : null,
          ...timeline({ bookingId }),
        });
      }
      if (method === 'GET' && sub === '/api/trail') {
        const correlationId = param('correlationId');
        if (!correlationId) throw new AwsError('ValidationError', 'correlationId is required');
        return sendJson(res, 200, { correlationId, ...timeline({ correlationId }) });
      }
      if (method === 'GET' && sub === '/api/queues') {
        const queues = await ctx.sqs.queues();
        const result = await Promise.all(
          queues.map(async (q) => {
            const dlq = ctx.dlqs.find((d) => d.name === q.name);
            return {
              ...q,
              ...(dlq
                ? { deadLetterFor: dlq.source, messages: (await ctx.sqs.peek(q.name)).slice(0, 20) }
                : {}),
            };
          }),
        );
        return sendJson(res, 200, result);
      }
      const redriveMatch = /^\/api\/queues\/([^/]+)\/redrive$/.exec(sub);
      if (method === 'POST' && redriveMatch) {
        return sendJson(res, 200, await redrive(decodeURIComponent(redriveMatch[1] ?? '')));
      }
      sendJson(res, 404, { message: 'Not Found' });
    } catch (error) {
      if (error instanceof AwsError)
        return sendJson(res, error.status, { code: error.code, message: error.message });
      throw error;
    }
  };
}
