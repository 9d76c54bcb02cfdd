import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildApp } from 'fauxqs';
import { ACCOUNT_ID } from './aws-account.ts';
import { AwsError, sendQueryError } from './aws-protocol.ts';
import { jsonToQueryXml, queryToJson } from './sqs-query.ts';

type FauxqsApp = ReturnType<typeof buildApp>;

/**
 * fauxqs names queues `http://sqs.<region>.localhost:<port>/…`, a host not every resolver
 * answers; the local cloud's queue URLs are the edge's own (`http://127.0.0.1:4566/…`),
 * the same the template's `Ref` resolves to. fauxqs finds a queue by the URL's path, so
 * it accepts either form.
 */
const FAUXQS_QUEUE_HOST = /http:\/\/sqs\.[a-z0-9-]+\.localhost(?::\d+)?\//g;

/** A queue as the console and the DLQ tools see it. */
export interface QueueSummary {
  name: string;
  url: string;
  visible: number;
  inFlight: number;
  delayed: number;
}

/**
 * SQS for the local cloud: fauxqs's SQS engine run in process with no listening socket
 * of its own. Every request reaches it through the edge (`app.inject`), so nothing
 * listens beyond the loopback edge and every queue URL it hands out is the edge's
 * (`http://127.0.0.1:4566/000000000000/<queue>`). The edge speaks both SQS protocols:
 * JSON (current SDKs) is passed through, query (the AWS CLI v2 from Debian, older SDKs)
 * is translated to JSON and its answer back to XML.
 */
export class LocalSqs {
  private constructor(
    private readonly app: FauxqsApp,
    /** host:port of the edge, used in queue URLs. */
    private readonly edgeHost: string,
  ) {}

  #onEdge(text: string): string {
    return text.replace(FAUXQS_QUEUE_HOST, `http://${this.edgeHost}/`);
  }

  static async start(edgeUrl: string): Promise<LocalSqs> {
    const app = buildApp({ logger: false });
    await app.ready();
    return new LocalSqs(app, new URL(edgeUrl).host);
  }

  /** One JSON-protocol request into the in-process engine, addressed as the edge. */
  #inject(operation: string, input: unknown) {
    return this.app.inject({
      method: 'POST',
      url: '/',
      headers: {
        host: this.edgeHost,
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `AmazonSQS.${operation}`,
      },
      payload: JSON.stringify(input),
    });
  }

  /** One SQS JSON-protocol call; AWS errors are thrown as {@link AwsError}. */
  async call<T = Record<string, any>>(operation: string, input: Record<string, unknown>): Promise<T> {
    const response = await this.#inject(operation, input);
    const body = response.payload ? JSON.parse(this.#onEdge(response.payload)) : {};
    if (response.statusCode >= 400) {
      throw new AwsError(
        String(body.__type ?? 'InternalFailure')
          .split('#')
          .pop() ?? 'InternalFailure',
        String(body.message ?? 'SQS failed'),
        response.statusCode,
      );
    }
    return body as T;
  }

  queueUrl(name: string): string {
    return `http://${this.edgeHost}/${ACCOUNT_ID}/${name}`;
  }

  async createQueue(name: string, attributes: Record<string, string>): Promise<string> {
    const { QueueUrl } = await this.call<{ QueueUrl: string }>('CreateQueue', {
      QueueName: name,
      Attributes: attributes,
    });
    return QueueUrl;
  }

  async send(queueName: string, body: string): Promise<void> {
    await this.call('SendMessage', { QueueUrl: this.queueUrl(queueName), MessageBody: body });
  }

  /** Every queue with its message counts (fauxqs's non-destructive inspection). */
  async queues(): Promise<QueueSummary[]> {
    const response = await this.app.inject({ method: 'GET', url: '/_fauxqs/queues' });
    return (
      JSON.parse(this.#onEdge(response.payload)) as {
        name: string;
        url: string;
        approximateMessageCount: number;
        approximateInflightCount: number;
        approximateDelayedCount: number;
      }[]
    ).map((q) => ({
      name: q.name,
      url: q.url,
      visible: q.approximateMessageCount,
      inFlight: q.approximateInflightCount,
      delayed: q.approximateDelayedCount,
    }));
  }

  /** The messages of a queue without receiving them (no receive count, no visibility change). */
  async peek(name: string): Promise<{ messageId: string; body: string; receiveCount: number }[]> {
    const response = await this.app.inject({
      method: 'GET',
      url: `/_fauxqs/queues/${encodeURIComponent(name)}`,
    });
    if (response.statusCode === 404) throw new AwsError('QueueDoesNotExist', `No queue ${name}`, 404);
    const { messages } = JSON.parse(response.payload) as {
      messages: {
        ready: Message[];
        delayed: Message[];
        inflight: { message: Message }[];
      };
    };
    return [...messages.ready, ...messages.delayed, ...messages.inflight.map((i) => i.message)].map((m) => ({
      messageId: m.messageId,
      body: m.body,
      receiveCount: m.approximateReceiveCount ?? 0,
    }));
  }

  /** Forwards a JSON-protocol request from the edge as it is. */
  async handleJson(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const response = await this.app.inject({
      method: 'POST',
      url: '/',
      headers: {
        ...Object.fromEntries(
          Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)]),
        ),
        host: this.edgeHost,
      },
      payload: body,
    });
    const headers = Object.fromEntries(
      Object.entries(response.headers)
        .filter(([k]) => !['content-length', 'transfer-encoding', 'connection'].includes(k))
        .map(([k, v]) => [k, String(v)]),
    );
    res.writeHead(response.statusCode, headers);
    res.end(this.#onEdge(response.payload));
  }

  /** Answers a query-protocol (form-encoded) request in XML. */
  async handleQuery(res: ServerResponse, form: URLSearchParams): Promise<void> {
    const action = form.get('Action') ?? '';
    try {
      const input = queryToJson(action, form);
      const response = await this.#inject(action, input);
      const result = response.payload ? JSON.parse(this.#onEdge(response.payload)) : {};
      if (response.statusCode >= 400) {
        // The legacy query code (AWS.SimpleQueueService.NonExistentQueue) when fauxqs gives one.
        const queryCode = String(response.headers['x-amzn-query-error'] ?? '').split(';')[0];
        const code =
          queryCode ||
          (String(result.__type ?? 'InternalFailure')
            .split('#')
            .pop() ??
            'InternalFailure');
        return sendQueryError(
          res,
          code === 'InvalidAction'
            ? new AwsError('UnknownOperationException', `SQS operation ${action} is not emulated`)
            : new AwsError(code, String(result.message ?? ''), response.statusCode),
        );
      }
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(jsonToQueryXml(action, result));
    } catch (error) {
      sendQueryError(
        res,
        error instanceof AwsError ? error : new AwsError('InternalFailure', (error as Error).message, 500),
      );
    }
  }

  async stop(): Promise<void> {
    await this.app.close();
  }
}

interface Message {
  messageId: string;
  body: string;
  approximateReceiveCount?: number;
}
