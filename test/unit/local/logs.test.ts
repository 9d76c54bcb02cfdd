import { describe, expect, it } from 'vitest';
import { AwsError } from '../../../local/aws-protocol.ts';
import { compileFilterPattern, idsIn, LocalLogs } from '../../../local/logs.ts';

const line = (o: Record<string, unknown>) => JSON.stringify(o);

describe('CloudWatch Logs filter patterns', () => {
  it('matches terms, phrases, exclusions and optional terms', () => {
    expect(compileFilterPattern('')('anything')).toBe(true);
    expect(compileFilterPattern('ERROR timeout')('ERROR: a timeout')).toBe(true);
    expect(compileFilterPattern('ERROR timeout')('ERROR: refused')).toBe(false);
    expect(compileFilterPattern('"card declined"')('payment: card declined')).toBe(true);
    expect(compileFilterPattern('"card declined"')('declined card')).toBe(false);
    expect(compileFilterPattern('ERROR -retry')('ERROR then retry')).toBe(false);
    expect(compileFilterPattern('?WARN ?ERROR')('a WARN line')).toBe(true);
    expect(compileFilterPattern('?WARN ?ERROR')('an INFO line')).toBe(false);
  });

  it('matches JSON patterns: =, !=, numbers, wildcards, &&, ||, parentheses, EXISTS, IS NULL', () => {
    const msg = line({
      correlationId: 'c-1',
      level: 'ERROR',
      duration: 120,
      error: { name: 'Boom' },
      gone: null,
    });
    const m = (pattern: string) => compileFilterPattern(pattern)(msg);
    expect(m('{ $.correlationId = "c-1" }')).toBe(true);
    expect(m('{ $.correlationId = "c-2" }')).toBe(false);
    expect(m('{ $.correlationId = "c-*" }')).toBe(true);
    expect(m('{ $.level != "INFO" && $.duration > 100 }')).toBe(true);
    expect(m('{ $.duration >= 121 }')).toBe(false);
    expect(m('{ ($.level = "INFO" || $.error.name = "Boom") && $.correlationId = "c-1" }')).toBe(true);
    expect(m('{ $.missing EXISTS }')).toBe(false);
    expect(m('{ $.missing NOT EXISTS }')).toBe(true);
    expect(m('{ $.gone IS NULL }')).toBe(true);
    expect(compileFilterPattern('{ $.correlationId = "c-1" }')('not json')).toBe(false);
  });

  it('refuses what it cannot read with InvalidParameterException', () => {
    for (const bad of ['{ $.a = ', '{ a = "b" }', '{ $.a > "x" }', '[ip, user]']) {
      expect(() => compileFilterPattern(bad), bad).toThrow(AwsError);
    }
  });
});

describe('the local CloudWatch Logs', () => {
  it('keeps each invocation’s lines under its log group and finds them by correlation id, paging', () => {
    const logs = new LocalLogs();
    logs.register('fn');
    logs.started(
      { requestId: 'r1', functionName: 'fn', trigger: 'sqs:q', startedAt: Date.now(), coldStart: true },
      {
        Records: [
          { body: line({ detail: { metadata: { correlationId: 'c-1' }, data: { bookingId: 'b-1' } } }) },
        ],
      },
    );
    logs.write('fn', 'r1', `${line({ level: 'INFO', message: 'reserved', correlationId: 'c-1' })}\n`);
    logs.write('fn', 'r1', 'No application metrics to publish.');
    logs.finished('r1', {});
    expect(logs.invocations[0]).toMatchObject({
      status: 'succeeded',
      correlationIds: ['c-1'],
      bookingIds: ['b-1'],
    });
    const all = logs.handle('FilterLogEvents', { logGroupName: '/aws/lambda/fn' }) as { events: unknown[] };
    expect(all.events).toHaveLength(5); // START, two lines, END, REPORT
    const found = logs.handle('FilterLogEvents', {
      logGroupName: '/aws/lambda/fn',
      filterPattern: '{ $.correlationId = "c-1" }',
    }) as { events: { message: string }[] };
    expect(found.events.map((e) => JSON.parse(e.message).message)).toEqual(['reserved']);
    const page = logs.handle('FilterLogEvents', { logGroupName: '/aws/lambda/fn', limit: 2 }) as {
      events: unknown[];
      nextToken?: string;
    };
    expect(page.events).toHaveLength(2);
    const rest = logs.handle('FilterLogEvents', {
      logGroupName: '/aws/lambda/fn',
      limit: 10,
      nextToken: page.nextToken,
    }) as { events: unknown[]; nextToken?: string };
    expect(rest.events).toHaveLength(3);
    expect(rest.nextToken).toBeUndefined();
    expect(logs.trail({ bookingId: 'b-1' }).lines).toHaveLength(5);
  });

  it('answers ResourceNotFoundException for an unknown group and UnknownOperationException naming the operation', () => {
    const logs = new LocalLogs();
    expect(() => logs.handle('FilterLogEvents', { logGroupName: '/aws/lambda/none' })).toThrow(
      expect.objectContaining({ code: 'ResourceNotFoundException' }),
    );
    expect(() => logs.handle('GetLogEvents', {})).toThrow(
      expect.objectContaining({
        code: 'UnknownOperationException',
        message: expect.stringContaining('GetLogEvents'),
      }),
    );
  });

  it('finds ids in EventBridge events, SQS records, HTTP events and log lines', () => {
    expect(idsIn({ headers: { 'x-correlation-id': 'h' }, pathParameters: { bookingId: 'p' } })).toEqual({
      correlationIds: ['h'],
      bookingIds: ['p'],
    });
    expect(idsIn({ body: line({ bookingId: 'b', correlationId: 'c' }) })).toEqual({
      correlationIds: ['c'],
      bookingIds: ['b'],
    });
  });
});
