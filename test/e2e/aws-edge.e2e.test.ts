import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ListQueuesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../local/cloud.ts';
import { PUT_EVENTS_ENTRY_MAX_BYTES } from '../../local/eventbridge.ts';
import { aws, awsCliV2, localAwsEnv, MISSING_AWS_CLI } from '../support/aws-cli.ts';
import { until } from '../support/until.ts';

/**
 * The AWS edge as users' tools see it: the AWS CLI v2 from Debian (SQS in the query
 * protocol) and the SDK (SQS in JSON) against the resources the template defines, and
 * AWS's UnknownOperationException for anything else. One local cloud on the default
 * ports, so the README's commands run as written.
 */

const run = promisify(execFile);
const sdk = { region: 'us-east-1', credentials: { accessKeyId: 'e2e', secretAccessKey: 'e2e' } };
let cloud: LocalCloud;
let edge: string;
let template: { Resources: Record<string, { Type: string; Properties?: any }> };

if (!awsCliV2) console.warn(`aws-edge e2e: AWS CLI tests skipped. ${MISSING_AWS_CLI}`);

beforeAll(async () => {
  cloud = await startLocalCloud({
    // INFO: the functions' structured lines carry the correlation ids FilterLogEvents looks for.
    functionEnv: { POWERTOOLS_LOG_LEVEL: 'INFO', POWERTOOLS_METRICS_DISABLED: 'true' },
  });
  edge = cloud.urls.edge;
  template = JSON.parse(readFileSync(`cdk.local.out/${cloud.stackName}.template.json`, 'utf8'));
}, 180_000);

afterAll(async () => {
  await cloud?.stop();
});

const ofType = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);

describe('issue 10: what the local cloud exposes', () => {
  it('listens on loopback only: no socket of this process is bound to another interface', () => {
    if (!existsSync('/proc/self/net/tcp')) return console.warn('no /proc: listening sockets not checked');
    const inodes = new Set(
      readdirSync('/proc/self/fd')
        .map((fd) => {
          try {
            return /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1];
          } catch {
            return undefined;
          }
        })
        .filter(Boolean),
    );
    const listening = ['tcp', 'tcp6'].flatMap((file) =>
      readFileSync(`/proc/self/net/${file}`, 'utf8')
        .split('\n')
        .slice(1)
        .map((line) => line.trim().split(/\s+/))
        .filter((cols) => cols[3] === '0A' && inodes.has(cols[9]))
        .map((cols) => cols[1] ?? ''),
    );
    expect(listening.length).toBeGreaterThanOrEqual(2); // the edge and the HTTP API
    const loopback = (address: string) =>
      address.startsWith('0100007F:') || address.startsWith('00000000000000000000000001000000:');
    expect(listening.filter((a) => !loopback(a))).toEqual([]);
  });

  it('the HTTP API answers malformed percent-encoding in a path with 400, like API Gateway', async () => {
    const response = await fetch(`${cloud.urls.api}/api/inventory/%E0%A4%A`);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ message: 'Bad Request' });
  });

  it('PutEvents refuses an entry over 256 KB, per entry, and accepts the rest', async () => {
    const eb = new EventBridgeClient({ ...sdk, endpoint: edge });
    const entry = (bytes: number) => ({
      EventBusName: cloud.outputs.EventBusName,
      Source: 'e2e',
      DetailType: 'Oversized',
      Detail: JSON.stringify({ padding: 'x'.repeat(bytes) }),
    });
    const result = await eb.send(
      new PutEventsCommand({ Entries: [entry(10), entry(PUT_EVENTS_ENTRY_MAX_BYTES)] }),
    );
    eb.destroy();
    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries?.[0]?.EventId).toBeTruthy();
    expect(result.Entries?.[1]?.ErrorCode).toBe('ValidationException');
  });
});

describe('SQS on the edge', () => {
  const queueNames = () => ofType('AWS::SQS::Queue').map(([id]) => `${cloud.stackName}-${id}`);

  it('JSON protocol (the SDK): every template queue, with its URL on the edge', async () => {
    const sqs = new SQSClient({ ...sdk, endpoint: edge });
    const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({}));
    expect(QueueUrls.sort()).toEqual(
      queueNames()
        .map((n) => `${edge}/000000000000/${n}`)
        .sort(),
    );
    const [dlq] = QueueUrls.filter((u) => u.endsWith('Dlq') || /Dlq[0-9A-F]{8}$/.test(u));
    await sqs.send(new SendMessageCommand({ QueueUrl: dlq, MessageBody: 'via json' }));
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: dlq, VisibilityTimeout: 0, MaxNumberOfMessages: 10 }),
    );
    expect(Messages.map((m) => m.Body)).toContain('via json');
    sqs.destroy();
  });

  it.skipIf(!awsCliV2)(
    'query protocol (AWS CLI 2.9): list, attributes, send, receive, delete, errors',
    async () => {
      const list = await aws(edge, 'sqs', 'list-queues');
      expect(list.code).toBe(0);
      expect(list.json.QueueUrls.sort()).toEqual(
        queueNames()
          .map((n) => `${edge}/000000000000/${n}`)
          .sort(),
      );
      const name = queueNames().find((n) => /BookingCancelledDlq/.test(n)) ?? '';
      const { json: urlOf } = await aws(edge, 'sqs', 'get-queue-url', '--queue-name', name);
      expect(urlOf.QueueUrl).toBe(`${edge}/000000000000/${name}`);
      const attributes = await aws(
        edge,
        'sqs',
        'get-queue-attributes',
        '--queue-url',
        urlOf.QueueUrl,
        '--attribute-names',
        'All',
      );
      expect(attributes.json.Attributes.QueueArn).toBe(`arn:aws:sqs:us-east-1:000000000000:${name}`);
      const sent = await aws(
        edge,
        'sqs',
        'send-message',
        '--queue-url',
        urlOf.QueueUrl,
        '--message-body',
        '{"via":"query"}',
        '--message-attributes',
        '{"kind":{"DataType":"String","StringValue":"e2e"}}',
      );
      expect(sent.json.MessageId).toBeTruthy();
      const received = await aws(
        edge,
        'sqs',
        'receive-message',
        '--queue-url',
        urlOf.QueueUrl,
        '--attribute-names',
        'All',
        '--message-attribute-names',
        'All',
        '--max-number-of-messages',
        '10',
      );
      const message = received.json.Messages.find(
        (m: { MessageId: string }) => m.MessageId === sent.json.MessageId,
      );
      expect(message).toMatchObject({
        Body: '{"via":"query"}',
        Attributes: { ApproximateReceiveCount: '1' },
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'e2e' } },
      });
      expect(
        (
          await aws(
            edge,
            'sqs',
            'delete-message',
            '--queue-url',
            urlOf.QueueUrl,
            '--receipt-handle',
            message.ReceiptHandle,
          )
        ).code,
      ).toBe(0);
      const missing = await aws(edge, 'sqs', 'get-queue-url', '--queue-name', 'no-such-queue');
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toContain('NonExistentQueue');
    },
  );
});

describe.skipIf(!awsCliV2)('EventBridge, Lambda, API Gateway v2 and Logs through the AWS CLI', () => {
  it('events list-event-buses | list-rules | describe-rule | list-targets-by-rule | test-event-pattern', async () => {
    const bus = cloud.outputs.EventBusName ?? '';
    expect(
      (await aws(edge, 'events', 'list-event-buses')).json.EventBuses.map((b: { Name: string }) => b.Name),
    ).toEqual(['default', bus]);
    const rules = (await aws(edge, 'events', 'list-rules', '--event-bus-name', bus)).json.Rules as {
      Name: string;
      EventPattern: string;
    }[];
    const patternRules = ofType('AWS::Events::Rule').filter(([, r]) => r.Properties?.EventPattern);
    expect(rules.map((r) => r.Name).sort()).toEqual(
      patternRules.map(([id]) => `${cloud.stackName}-${id}`).sort(),
    );
    const [first] = rules;
    const described = (
      await aws(edge, 'events', 'describe-rule', '--name', first?.Name ?? '', '--event-bus-name', bus)
    ).json;
    expect(described).toMatchObject({ Name: first?.Name, State: 'ENABLED', EventBusName: bus });
    expect(JSON.parse(described.EventPattern)).toEqual(
      patternRules.find(([id]) => `${cloud.stackName}-${id}` === first?.Name)?.[1].Properties.EventPattern,
    );
    const targets = (
      await aws(edge, 'events', 'list-targets-by-rule', '--rule', first?.Name ?? '', '--event-bus-name', bus)
    ).json.Targets;
    expect(targets[0].Arn).toMatch(/^arn:aws:sqs:us-east-1:000000000000:/);

    const event = JSON.stringify({
      id: '1',
      account: '000000000000',
      source: 'booking-service',
      time: '2026-11-25T00:00:00Z',
      region: 'us-east-1',
      resources: [],
      'detail-type': 'BookingCreated',
      detail: {},
    });
    expect(
      (
        await aws(
          edge,
          'events',
          'test-event-pattern',
          '--event-pattern',
          described.EventPattern,
          '--event',
          event,
        )
      ).json,
    ).toEqual({ Result: true });
    expect(
      (
        await aws(
          edge,
          'events',
          'test-event-pattern',
          '--event-pattern',
          '{"source":["other"]}',
          '--event',
          event,
        )
      ).json,
    ).toEqual({ Result: false });
    const invalid = await aws(
      edge,
      'events',
      'test-event-pattern',
      '--event-pattern',
      '{"detail":{"n":[{"numeric":10}]}}',
      '--event',
      event,
    );
    expect(invalid.code).not.toBe(0);
    expect(invalid.stderr).toContain('InvalidEventPatternException');
  });

  it('lambda list-functions | get-function | invoke (with --log-type Tail)', async () => {
    const names = ofType('AWS::Lambda::Function').map(([id]) => `${cloud.stackName}-${id}`);
    const listed = (await aws(edge, 'lambda', 'list-functions')).json.Functions as { FunctionName: string }[];
    expect(listed.map((f) => f.FunctionName).sort()).toEqual(names.sort());
    const health = names.find((n) => /Health/.test(n)) ?? '';
    const got = (await aws(edge, 'lambda', 'get-function', '--function-name', health)).json;
    expect(got.Configuration).toMatchObject({
      FunctionName: health,
      Runtime: expect.stringMatching(/^nodejs/),
      State: 'Active',
    });
    const event = {
      version: '2.0',
      routeKey: 'GET /health',
      rawPath: '/health',
      rawQueryString: '',
      headers: {},
      requestContext: { http: { method: 'GET', path: '/health' }, requestId: 'cli', routeKey: 'GET /health' },
      isBase64Encoded: false,
    };
    const out = join(tmpdir(), `lambda-invoke-${randomUUID()}.json`);
    const invoked = await aws(
      edge,
      'lambda',
      'invoke',
      '--function-name',
      health,
      '--cli-binary-format',
      'raw-in-base64-out',
      '--payload',
      JSON.stringify(event),
      '--log-type',
      'Tail',
      out,
    );
    expect(invoked.json.StatusCode).toBe(200);
    expect(Buffer.from(invoked.json.LogResult, 'base64').toString()).toMatch(/REPORT RequestId: /);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ statusCode: 200 });
    const missing = await aws(edge, 'lambda', 'get-function', '--function-name', 'nope');
    expect(missing.stderr).toContain('ResourceNotFoundException');
  });

  it('apigatewayv2 get-apis | get-routes', async () => {
    const apis = (await aws(edge, 'apigatewayv2', 'get-apis')).json.Items;
    expect(apis).toEqual([expect.objectContaining({ ApiEndpoint: cloud.urls.api, ProtocolType: 'HTTP' })]);
    const routes = (await aws(edge, 'apigatewayv2', 'get-routes', '--api-id', apis[0].ApiId)).json.Items;
    expect(routes.map((r: { RouteKey: string }) => r.RouteKey).sort()).toEqual(
      ofType('AWS::ApiGatewayV2::Route')
        .map(([, r]) => r.Properties.RouteKey)
        .sort(),
    );
  });

  it('logs filter-log-events follows one booking by correlation id across functions', async () => {
    const correlationId = randomUUID();
    const bookingId = randomUUID();
    const eb = new EventBridgeClient({ ...sdk, endpoint: edge });
    await eb.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: cloud.outputs.EventBusName,
            Source: 'booking-service',
            DetailType: 'BookingCreated',
            Detail: JSON.stringify({
              metadata: {
                eventId: randomUUID(),
                correlationId,
                occurredAt: new Date().toISOString(),
                schemaVersion: '1',
              },
              data: { bookingId, items: [{ itemId: 'ROOM-110', quantity: 1 }] },
            }),
          },
        ],
      }),
    );
    eb.destroy();
    const groups = (await aws(edge, 'logs', 'describe-log-groups')).json.logGroups.map(
      (g: { logGroupName: string }) => g.logGroupName,
    );
    expect(groups.length).toBe(ofType('AWS::Lambda::Function').length);
    const messages = await until(
      async () => {
        const found = await Promise.all(
          groups.map(async (group: string) =>
            (
              await aws(
                edge,
                'logs',
                'filter-log-events',
                '--log-group-name',
                group,
                '--filter-pattern',
                `{ $.correlationId = "${correlationId}" }`,
              )
            ).json.events.map((e: { message: string }) => JSON.parse(e.message)),
          ),
        );
        const all = found.flat();
        return all.length > 0 ? all : undefined;
      },
      'log lines with the correlation id',
      20_000,
      250,
    );
    expect(messages.every((m: { correlationId: string }) => m.correlationId === correlationId)).toBe(true);
  });
});

describe.skipIf(!awsCliV2)('anything else', () => {
  it.each([
    [['sns', 'list-topics'], 'ListTopics'],
    [['events', 'put-rule', '--name', 'x', '--schedule-expression', 'rate(1 minute)'], 'PutRule'],
    [['logs', 'get-log-events', '--log-group-name', 'g', '--log-stream-name', 's'], 'GetLogEvents'],
    [['lambda', 'list-layers'], '/2018-10-31/layers'],
    [
      ['sqs', 'list-dead-letter-source-queues', '--queue-url', 'http://127.0.0.1:4566/000000000000/q'],
      'ListDeadLetterSourceQueues',
    ],
  ])('aws %j answers UnknownOperationException naming %s', async (args, operation) => {
    const result = await aws(edge, ...args);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('UnknownOperationException');
    expect(result.stderr).toContain(operation);
  });
});

describe.skipIf(!awsCliV2)('the README', () => {
  it('runs the AWS CLI section as written', async () => {
    const readme = readFileSync('README.md', 'utf8');
    const block = /<!-- aws-cli:begin -->\s*```bash\n([\s\S]*?)```\s*<!-- aws-cli:end -->/.exec(readme)?.[1];
    expect(block, 'README holds the AWS CLI block between aws-cli markers').toBeTruthy();
    const env = localAwsEnv();
    for (const key of ['AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) delete env[key];
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', block ?? ''], {
      env: { ...env, PATH: `${dirname(awsCliV2 ?? '/usr/bin/aws')}:${process.env.PATH}` },
    });
    expect(stdout).toContain('ROOM-101');
    expect(stdout).toContain(`${edge}/000000000000/`);
  });
});
