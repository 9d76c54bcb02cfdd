import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  AwsError,
  readBody,
  sendAwsJson,
  sendAwsJsonError,
  sendJson,
  sendQueryError,
  sendRestJsonError,
  signedService,
  unknownOperation,
} from './aws-protocol.ts';
import { CONSOLE_PATH } from './console.ts';
import { InvalidEventPatternError } from './event-pattern.ts';
import type { LocalEventBridge } from './eventbridge.ts';
import type { LocalIssuer } from './issuer.ts';
import { LAMBDA_API_PREFIX } from './lambda-api.ts';
import type { LocalLogs } from './logs.ts';
import type { LocalSqs } from './sqs.ts';

/** What the edge routes to: one entry per emulated service. */
export interface EdgeServices {
  dynamoEndpoint: string;
  sqs: LocalSqs;
  bus: LocalEventBridge;
  logs: LocalLogs;
  issuer: LocalIssuer;
  lambda(req: IncomingMessage, res: ServerResponse, path: string, body: Buffer): Promise<void>;
  apiGatewayV2(method: string, path: string): unknown;
  console(method: string, url: URL, res: ServerResponse): Promise<void>;
  /**
   * A DynamoDB write went through to these tables (`undefined`: tables not named, e.g.
   * PartiQL): their table-stream pollers may read their shards now.
   */
  onDynamoDbWrite?(tables: string[] | undefined): void;
}

/**
 * The tables a DynamoDB request writes to, by name (an ARN's last part); `undefined` when
 * it may write but does not name them (PartiQL); `[]` when it does not write.
 */
export function tablesWritten(operation: string, body: Buffer): string[] | undefined {
  const name = (table: unknown) => String(table).split('/').pop() ?? '';
  type Action = Record<string, { TableName?: unknown } | undefined>;
  switch (operation) {
    case 'PutItem':
    case 'UpdateItem':
    case 'DeleteItem':
      return [name(parseJson(body).TableName)];
    case 'BatchWriteItem':
      return Object.keys(parseJson(body).RequestItems ?? {}).map(name);
    case 'TransactWriteItems':
      return [
        ...new Set(
          ((parseJson(body).TransactItems ?? []) as Action[]).flatMap((item) =>
            Object.entries(item)
              .filter(([kind]) => kind !== 'ConditionCheck')
              .map(([, action]) => name(action?.TableName)),
          ),
        ),
      ];
    case 'ExecuteStatement':
    case 'BatchExecuteStatement':
    case 'ExecuteTransaction':
      return undefined;
    default:
      return [];
  }
}

/** The awsJson services by their X-Amz-Target prefix. */
const JSON_TARGETS = {
  DynamoDB_20120810: 'DynamoDB',
  DynamoDBStreams_20120810: 'DynamoDB Streams',
  AmazonSQS: 'SQS',
  AWSEvents: 'EventBridge',
  Logs_20140328: 'CloudWatch Logs',
} as const;

/**
 * The AWS edge (`http://127.0.0.1:4566`): one endpoint for every SDK and the AWS CLI.
 * Requests are routed by protocol: `X-Amz-Target` for the awsJson services (DynamoDB,
 * SQS, EventBridge, CloudWatch Logs), a form `Action=` for SQS's query protocol, the
 * REST paths of Lambda (`/2015-03-31/functions`) and API Gateway v2 (`/v2/apis`), and
 * the local endpoints under `/_local/` (the event log, the issuer, fault injection). Anything else answers AWS's
 * `UnknownOperationException`, naming the operation, in the protocol it came in.
 */
export function edgeHandler(services: EdgeServices) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return sendJson(res, 400, { message: 'Bad Request' });
    }
    const target = String(req.headers['x-amz-target'] ?? '');
    const [prefix = '', operation = ''] = target.split('.');
    const jsonVersion = String(req.headers['content-type'] ?? '').includes('1.0') ? '1.0' : '1.1';
    try {
      if (url.pathname === CONSOLE_PATH || url.pathname.startsWith(`${CONSOLE_PATH}/`)) {
        return await services.console(method, url, res);
      }
      if (url.pathname.startsWith(FAULTS_PATH))
        return await faultsEndpoint(method, url, req, res, services.bus);
      if (url.pathname.startsWith('/_local/')) return localEndpoint(url, res, services);
      const body = await readBody(req);
      if (target) {
        switch (prefix as keyof typeof JSON_TARGETS) {
          case 'DynamoDB_20120810': {
            const status = await proxy(req, res, services.dynamoEndpoint, url, body);
            if (status !== 200 || !services.onDynamoDbWrite) return;
            const tables = tablesWritten(operation, body);
            if (tables?.length !== 0) services.onDynamoDbWrite(tables);
            return;
          }
          case 'DynamoDBStreams_20120810':
            return void (await proxy(req, res, services.dynamoEndpoint, url, body));
          case 'AmazonSQS':
            return await services.sqs.handleJson(req, res, body);
          case 'AWSEvents':
            return sendAwsJson(res, '1.1', await services.bus.handle(operation, parseJson(body)));
          case 'Logs_20140328':
            return sendAwsJson(res, '1.1', services.logs.handle(operation, parseJson(body)));
          default:
            throw unknownOperation(prefix || 'unknown service', operation || target);
        }
      }
      const form = String(req.headers['content-type'] ?? '').includes('x-www-form-urlencoded')
        ? new URLSearchParams(body.toString('utf8'))
        : undefined;
      if (form?.has('Action')) {
        const service = signedService(req);
        if (service && service !== 'sqs') {
          return sendQueryError(res, unknownOperation(service, form.get('Action') ?? ''));
        }
        return await services.sqs.handleQuery(res, form);
      }
      if (url.pathname === LAMBDA_API_PREFIX || url.pathname.startsWith(`${LAMBDA_API_PREFIX}/`)) {
        return await services.lambda(req, res, url.pathname, body);
      }
      if (url.pathname === '/v2/apis' || url.pathname.startsWith('/v2/apis/')) {
        try {
          return sendJson(res, 200, services.apiGatewayV2(method, url.pathname));
        } catch (error) {
          if (error instanceof AwsError) return sendRestJsonError(res, error);
          throw error;
        }
      }
      return sendRestJsonError(
        res,
        unknownOperation(signedService(req) ?? 'unknown service', `${method} ${url.pathname}`),
      );
    } catch (error) {
      const aws =
        error instanceof AwsError
          ? error
          : error instanceof SyntaxError || error instanceof URIError
            ? new AwsError('SerializationException', error.message)
            : new AwsError('InternalFailure', (error as Error).message, 500);
      if (res.headersSent) return void res.end();
      if (target) return sendAwsJsonError(res, jsonVersion, aws);
      return sendRestJsonError(res, aws);
    }
  };
}

function parseJson(body: Buffer): Record<string, any> {
  const text = body.toString('utf8');
  return text ? (JSON.parse(text) as Record<string, any>) : {};
}

/** Forwards a request as it is and answers with the upstream's answer; returns its status. */
async function proxy(
  req: IncomingMessage,
  res: ServerResponse,
  upstream: string,
  url: URL,
  body: Buffer,
): Promise<number> {
  const headers = Object.fromEntries(
    Object.entries(req.headers)
      .filter(([k]) => !['host', 'content-length', 'connection'].includes(k))
      .map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)]),
  );
  const response = await fetch(`${upstream}${url.pathname}${url.search}`, {
    method: req.method ?? 'POST',
    headers,
    ...(body.length > 0 ? { body } : {}),
  });
  const out = Buffer.from(await response.arrayBuffer());
  res.writeHead(
    response.status,
    Object.fromEntries(
      [...response.headers].filter(
        ([k]) => !['content-length', 'transfer-encoding', 'connection', 'content-encoding'].includes(k),
      ),
    ),
  );
  res.end(out);
  return response.status;
}

/** Where local tooling injects faults into the emulated services (not an AWS API). */
export const FAULTS_PATH = '/_local/faults';

/**
 * `GET /_local/faults` lists the injected faults with what they refused;
 * `POST /_local/faults/put-events` `{ "pattern": <event pattern>, "errorCode"?: string }`
 * makes the bus refuse the PutEvents entries matching the pattern (201 with the fault);
 * `DELETE /_local/faults/put-events` lifts them (200 with what they refused).
 */
async function faultsEndpoint(
  method: string,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
  bus: LocalEventBridge,
) {
  const putEvents = `${FAULTS_PATH}/put-events`;
  if (url.pathname === FAULTS_PATH && method === 'GET') return sendJson(res, 200, { putEvents: bus.faults });
  if (url.pathname === putEvents && method === 'DELETE')
    return sendJson(res, 200, { lifted: bus.liftFaults() });
  if (url.pathname === putEvents && method === 'POST') {
    let input: { pattern?: unknown; errorCode?: unknown };
    try {
      input = JSON.parse((await readBody(req)).toString('utf8')) as typeof input;
    } catch {
      return sendJson(res, 400, { code: 'MalformedJson', message: 'The body is not JSON' });
    }
    if (input?.errorCode !== undefined && typeof input.errorCode !== 'string') {
      return sendJson(res, 400, { code: 'InvalidErrorCode', message: 'errorCode must be a string' });
    }
    try {
      return sendJson(res, 201, bus.injectFault(input?.pattern, input?.errorCode));
    } catch (error) {
      if (!(error instanceof InvalidEventPatternError)) throw error;
      return sendJson(res, 400, { code: 'InvalidEventPattern', message: error.message });
    }
  }
  return sendJson(res, 404, { code: 'NotFound', message: `No ${method} ${url.pathname}` });
}

function localEndpoint(url: URL, res: ServerResponse, ctx: EdgeServices) {
  if (url.pathname === '/_local/events') {
    const param = (name: string) => url.searchParams.get(name) ?? undefined;
    const filter = {
      ...(param('correlationId') ? { correlationId: param('correlationId') } : {}),
      ...(param('bookingId') ? { bookingId: param('bookingId') } : {}),
      ...(param('detailType') ? { detailType: param('detailType') } : {}),
    };
    return sendJson(res, 200, ctx.bus.query(filter));
  }
  const wellKnown = ctx.issuer.wellKnown(url.pathname);
  if (wellKnown !== undefined) return sendJson(res, 200, wellKnown);
  if (url.pathname === '/_local/health') return sendJson(res, 200, { status: 'ok' });
  return sendJson(res, 404, { message: 'Not Found' });
}
