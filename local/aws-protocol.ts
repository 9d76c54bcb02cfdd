import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** An error the way AWS services report them: a code (`__type`), a message, an HTTP status. */
export class AwsError extends Error {
  override name = 'AwsError';
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** The operation an edge request names, per protocol. */
export function unknownOperation(service: string, operation: string): AwsError {
  return new AwsError(
    'UnknownOperationException',
    `${service} operation ${operation} is not emulated by the local cloud`,
  );
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(text);
}

/** awsJson1_0 / awsJson1_1 answers (DynamoDB, SQS, EventBridge, CloudWatch Logs). */
export function sendAwsJson(res: ServerResponse, version: '1.0' | '1.1', result: unknown): void {
  sendJson(res, 200, result ?? {}, {
    'content-type': `application/x-amz-json-${version}`,
    'x-amzn-requestid': randomUUID(),
  });
}

export function sendAwsJsonError(res: ServerResponse, version: '1.0' | '1.1', error: AwsError): void {
  sendJson(
    res,
    error.status,
    { __type: error.code, message: error.message },
    { 'content-type': `application/x-amz-json-${version}`, 'x-amzn-requestid': randomUUID() },
  );
}

/** restJson1 errors (Lambda, API Gateway v2): the code travels in `x-amzn-ErrorType`. */
export function sendRestJsonError(res: ServerResponse, error: AwsError): void {
  sendJson(
    res,
    error.status,
    { message: error.message, Message: error.message, Type: 'User' },
    { 'x-amzn-errortype': error.code, 'x-amzn-requestid': randomUUID() },
  );
}

const xmlEscape = (s: string) =>
  s.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c,
  );

/** A query-protocol (XML) error document. */
export function sendQueryError(res: ServerResponse, error: AwsError): void {
  const requestId = randomUUID();
  res.writeHead(error.status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
  res.end(
    `<?xml version="1.0"?><ErrorResponse><Error><Type>${error.status >= 500 ? 'Receiver' : 'Sender'}</Type>` +
      `<Code>${xmlEscape(error.code)}</Code><Message>${xmlEscape(error.message)}</Message><Detail/></Error>` +
      `<RequestId>${requestId}</RequestId></ErrorResponse>`,
  );
}

export { xmlEscape };

/**
 * The service a request is signed for, from its SigV4 credential scope
 * (`Credential=<key>/<date>/<region>/<service>/aws4_request`): every SDK and the AWS CLI
 * sign, so this names the service whatever the protocol.
 */
export function signedService(req: IncomingMessage): string | undefined {
  const auth = String(req.headers.authorization ?? '');
  return /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(auth)?.[1];
}
