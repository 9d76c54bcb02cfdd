import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { localArn } from './aws-account.ts';
import { AwsError, sendJson, sendRestJsonError, unknownOperation } from './aws-protocol.ts';
import { InvocationError, type LocalFunction } from './lambda-runtime.ts';
import type { LocalLogs } from './logs.ts';
import type { StackModel } from './provisioning.ts';

/** Lambda's REST API version prefix (`/2015-03-31/functions…`). */
export const LAMBDA_API_PREFIX = '/2015-03-31/functions';
/** `X-Amz-Log-Result` carries the last 4 KB of the invocation's log, as Lambda does. */
const LOG_TAIL_BYTES = 4096;

/**
 * The Lambda API over the template's functions: ListFunctions, GetFunction,
 * GetFunctionConfiguration and Invoke (RequestResponse, Event, DryRun; `--log-type Tail`).
 */
export function lambdaApi(model: StackModel, functions: Map<string, LocalFunction>, logs: LocalLogs) {
  const configuration = (id: string, fn: LocalFunction) => {
    const p = model.props(model.resources[id] ?? { Type: 'AWS::Lambda::Function' });
    return {
      FunctionName: fn.config.functionName,
      FunctionArn: model.arn(id),
      Runtime: p.Runtime,
      Handler: p.Handler,
      Role: p.Role,
      MemorySize: fn.config.memorySize,
      Timeout: fn.config.timeoutSeconds,
      Architectures: p.Architectures ?? ['x86_64'],
      Environment: { Variables: p.Environment?.Variables ?? {} },
      Version: '$LATEST',
      State: 'Active',
      PackageType: 'Zip',
      LastUpdateStatus: 'Successful',
      LoggingConfig: {
        LogFormat: p.LoggingConfig?.LogFormat ?? 'Text',
        LogGroup: `/aws/lambda/${fn.config.functionName}`,
      },
    };
  };
  const find = (nameOrArn: string): [string, LocalFunction] => {
    const name = nameOrArn.includes(':function:')
      ? (nameOrArn.split(':function:')[1]?.split(':')[0] ?? '')
      : nameOrArn;
    const found = [...functions].find(([, fn]) => fn.config.functionName === name);
    if (!found) {
      throw new AwsError(
        'ResourceNotFoundException',
        `Function not found: ${localArn('lambda', `function:${name}`)}`,
        404,
      );
    }
    return found;
  };

  return async (req: IncomingMessage, res: ServerResponse, path: string, body: Buffer): Promise<void> => {
    const method = req.method ?? 'GET';
    const parts = path.slice(LAMBDA_API_PREFIX.length).split('/').filter(Boolean).map(decodeURIComponent);
    try {
      if (method === 'GET' && parts.length === 0) {
        return sendJson(res, 200, {
          Functions: [...functions].map(([id, fn]) => configuration(id, fn)),
        });
      }
      if (method === 'GET' && parts.length === 1) {
        const [id, fn] = find(parts[0] ?? '');
        return sendJson(res, 200, {
          Configuration: configuration(id, fn),
          Code: { RepositoryType: 'Local', Location: fn.config.codePath },
        });
      }
      if (method === 'GET' && parts.length === 2 && parts[1] === 'configuration') {
        const [id, fn] = find(parts[0] ?? '');
        return sendJson(res, 200, configuration(id, fn));
      }
      if (method === 'POST' && parts.length === 2 && parts[1] === 'invocations') {
        const [, fn] = find(parts[0] ?? '');
        const invocationType = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
        let event: unknown;
        try {
          event = body.length > 0 ? JSON.parse(body.toString('utf8')) : {};
        } catch {
          throw new AwsError('InvalidRequestContentException', 'Could not parse request body into json');
        }
        const requestId = randomUUID();
        if (invocationType === 'DryRun') {
          res.writeHead(204, { 'x-amzn-requestid': requestId });
          return void res.end();
        }
        if (invocationType === 'Event') {
          void fn.invoke(event, 'lambda:Invoke', requestId).catch(() => undefined);
          res.writeHead(202, { 'x-amzn-requestid': requestId });
          return void res.end();
        }
        if (invocationType !== 'RequestResponse') {
          throw new AwsError(
            'InvalidParameterValueException',
            `Unsupported InvocationType ${invocationType}`,
          );
        }
        const headers: Record<string, string> = {
          'content-type': 'application/json',
          'x-amzn-requestid': requestId,
          'x-amz-executed-version': '$LATEST',
        };
        let payload: unknown;
        try {
          payload = await fn.invoke(event, 'lambda:Invoke', requestId);
        } catch (error) {
          headers['x-amz-function-error'] = 'Unhandled';
          payload = {
            errorType: error instanceof InvocationError ? error.errorType : 'Error',
            errorMessage: (error as Error).message,
          };
        }
        if (String(req.headers['x-amz-log-type'] ?? '') === 'Tail') {
          const text = logs.lines
            .filter((l) => l.requestId === requestId)
            .map((l) => `${l.message}\n`)
            .join('');
          const tail = Buffer.from(text, 'utf8');
          headers['x-amz-log-result'] = tail
            .subarray(Math.max(0, tail.length - LOG_TAIL_BYTES))
            .toString('base64');
        }
        res.writeHead(200, headers);
        return void res.end(JSON.stringify(payload ?? null));
      }
      throw unknownOperation('Lambda', `${method} ${path}`);
    } catch (error) {
      sendRestJsonError(
        res,
        error instanceof AwsError ? error : new AwsError('ServiceException', (error as Error).message, 500),
      );
    }
  };
}
