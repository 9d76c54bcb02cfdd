import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ACCOUNT_ID } from './aws-account.ts';
import { AwsError, readBody, sendJson, unknownOperation } from './aws-protocol.ts';
import type { LocalIssuer } from './issuer.ts';
import { LOCAL_API_ID, type StackModel } from './provisioning.ts';

/** One route of the HTTP API as the template declares it. */
export interface Route {
  routeId: string;
  method: string;
  path: string;
  functionId: string;
  authorizer?: { issuer: string; audience: string[] };
  authorizerId?: string;
  scopes: string[];
}

/** Routes with Lambda proxy integrations and their JWT authorizers, from the template. */
export function httpRoutes(model: StackModel): Route[] {
  const integrations = new Map<string, string>();
  for (const [id, r] of model.byType('AWS::ApiGatewayV2::Integration')) {
    const functionName =
      String(model.props(r).IntegrationUri ?? '')
        .split(':')
        .pop() ?? '';
    const functionId = model.idByName(functionName);
    if (functionId) integrations.set(id, functionId);
  }
  const authorizers = new Map<string, { issuer: string; audience: string[] }>();
  for (const [id, r] of model.byType('AWS::ApiGatewayV2::Authorizer')) {
    const p = model.props(r);
    authorizers.set(id, { issuer: p.JwtConfiguration?.Issuer, audience: p.JwtConfiguration?.Audience ?? [] });
  }
  const routes: Route[] = [];
  for (const [id, r] of model.byType('AWS::ApiGatewayV2::Route')) {
    const p = model.props(r);
    const [method = 'ANY', path = '/'] = String(p.RouteKey).split(' ');
    const functionId = integrations.get(String(p.Target ?? '').replace('integrations/', ''));
    if (!functionId) continue;
    const authorizer = p.AuthorizationType === 'JWT' ? authorizers.get(String(p.AuthorizerId)) : undefined;
    routes.push({
      routeId: id,
      method,
      path,
      functionId,
      ...(authorizer ? { authorizer, authorizerId: String(p.AuthorizerId) } : {}),
      scopes: p.AuthorizationScopes ?? [],
    });
  }
  return routes;
}

/** A request path that is not valid percent-encoding: API Gateway answers 400 to it. */
export class MalformedPathError extends Error {
  override name = 'MalformedPathError';
}

export function matchRoute(routes: Route[], method: string, path: string) {
  for (const route of routes) {
    if (route.method !== method && route.method !== 'ANY') continue;
    const names: string[] = [];
    const regex = new RegExp(
      `^${route.path.replace(/\{([^}+]+)(\+?)\}/g, (_m, name: string, greedy: string) => {
        names.push(name);
        return greedy ? '(.+)' : '([^/]+)';
      })}$`,
    );
    const match = regex.exec(path);
    if (match) {
      const pathParameters = Object.fromEntries(
        names.map((n, i) => [n, decodePathSegment(match[i + 1] ?? '')]),
      );
      return { route, pathParameters };
    }
  }
  return undefined;
}

function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new MalformedPathError(`Malformed percent-encoding in ${segment}`);
  }
}

/**
 * The HTTP API's request handler: route matching, the JWT authorizer (issuer, audience,
 * scopes), payload format 2.0 events, Lambda proxy answers, and API Gateway's own
 * answers (401, 403, 404, 400 for a malformed path, 500 when the function fails).
 */
export function httpApiHandler(options: {
  routes: Route[];
  issuer: LocalIssuer;
  invoke(functionId: string, event: unknown): Promise<unknown>;
  isReady(): boolean;
  /** Where the authorizer says why it refused a token (API Gateway keeps that to itself). */
  log?(line: string): void;
}) {
  const { routes, issuer, invoke } = options;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const method = req.method ?? 'GET';
      if (!options.isReady())
        return sendJson(res, 503, { message: 'Service Unavailable: the local cloud is starting' });
      let found: ReturnType<typeof matchRoute>;
      try {
        found = matchRoute(routes, method, url.pathname);
      } catch (error) {
        if (error instanceof MalformedPathError) return sendJson(res, 400, { message: 'Bad Request' });
        throw error;
      }
      if (!found) return sendJson(res, 404, { message: 'Not Found' });
      const { route, pathParameters } = found;
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [
          k.toLowerCase(),
          Array.isArray(v) ? v.join(',') : String(v),
        ]),
      );
      let jwt: { claims: Record<string, unknown>; scopes: string[] } | undefined;
      if (route.authorizer) {
        const token = /^Bearer (.+)$/i.exec(headers.authorization ?? '')?.[1];
        if (!token) return sendJson(res, 401, { message: 'Unauthorized' });
        const refuse = (status: 401 | 403, reason: string) => {
          options.log?.(`[http api] ${status} ${method} ${url.pathname}: ${reason}`);
          return sendJson(res, status, { message: status === 401 ? 'Unauthorized' : 'Forbidden' });
        };
        try {
          const claims = await issuer.verify(token, route.authorizer.issuer, route.authorizer.audience);
          const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
          if (route.scopes.length > 0 && !route.scopes.some((s) => scopes.includes(s))) {
            return refuse(
              403,
              `the token's scopes (${scopes.join(' ') || 'none'}) include none of ${route.scopes.join(', ')}`,
            );
          }
          jwt = { claims: claims as Record<string, unknown>, scopes };
        } catch (error) {
          return refuse(401, `token refused: ${(error as Error).message}`);
        }
      }
      const body = await readBody(req);
      const requestId = randomUUID();
      const routeKey = `${route.method} ${route.path}`;
      const event = {
        version: '2.0',
        routeKey,
        rawPath: url.pathname,
        rawQueryString: url.search.replace(/^\?/, ''),
        headers,
        ...(url.search ? { queryStringParameters: Object.fromEntries(url.searchParams) } : {}),
        ...(Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
        requestContext: {
          accountId: ACCOUNT_ID,
          apiId: LOCAL_API_ID,
          domainName: headers.host ?? '127.0.0.1',
          domainPrefix: LOCAL_API_ID,
          http: {
            method,
            path: url.pathname,
            protocol: 'HTTP/1.1',
            sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
            userAgent: headers['user-agent'] ?? '',
          },
          requestId,
          routeKey,
          stage: '$default',
          time: new Date().toUTCString(),
          timeEpoch: Date.now(),
          ...(jwt ? { authorizer: { jwt } } : {}),
        },
        ...(body.length > 0
          ? { body: body.toString('utf8'), isBase64Encoded: false }
          : { isBase64Encoded: false }),
      };
      let result: unknown;
      try {
        result = await invoke(route.functionId, event);
      } catch {
        return sendJson(res, 500, { message: 'Internal Server Error' }, { 'apigw-requestid': requestId });
      }
      if (result && typeof result === 'object' && 'statusCode' in result) {
        const r = result as {
          statusCode: number;
          headers?: Record<string, string>;
          body?: string;
          isBase64Encoded?: boolean;
        };
        const payload =
          r.body === undefined ? '' : r.isBase64Encoded ? Buffer.from(r.body, 'base64') : r.body;
        res.writeHead(r.statusCode, { ...r.headers, 'apigw-requestid': requestId });
        return void res.end(payload);
      }
      return sendJson(res, 200, result ?? '', { 'apigw-requestid': requestId });
    } catch {
      // API Gateway's own failure answer; details stay out of the response.
      sendJson(res, 500, { message: 'Internal Server Error' });
    }
  };
}

/**
 * The API Gateway v2 management API (restJson1, `/v2/apis…`) over the template's API:
 * GetApis, GetApi, GetRoutes, GetRoute.
 */
export function apiGatewayV2(model: StackModel, routes: Route[]) {
  // The v2 management API's wire names are camelCase (`items`, `apiId`, `routeKey`).
  const apis = model.byType('AWS::ApiGatewayV2::Api').map(([, r]) => {
    const p = model.props(r);
    return {
      apiId: LOCAL_API_ID,
      name: String(p.Name ?? model.stackName),
      protocolType: String(p.ProtocolType ?? 'HTTP'),
      apiEndpoint: model.urls.api,
      routeSelectionExpression: '$request.method $request.path',
    };
  });
  const route = (r: Route) => ({
    routeId: r.routeId,
    routeKey: `${r.method} ${r.path}`,
    target: `integrations/${r.functionId}`,
    authorizationType: r.authorizer ? 'JWT' : 'NONE',
    ...(r.authorizerId ? { authorizerId: r.authorizerId } : {}),
    ...(r.scopes.length > 0 ? { authorizationScopes: r.scopes } : {}),
    apiKeyRequired: false,
  });
  const api = (id: string) => {
    const found = apis.find((a) => a.apiId === id);
    if (!found)
      throw new AwsError('NotFoundException', `Invalid API identifier specified ${ACCOUNT_ID}:${id}`, 404);
    return found;
  };
  return (method: string, path: string): unknown => {
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    if (method === 'GET' && parts.length === 2) return { items: apis };
    if (method === 'GET' && parts.length === 3) return api(parts[2] ?? '');
    if (method === 'GET' && parts.length === 4 && parts[3] === 'routes') {
      api(parts[2] ?? '');
      return { items: routes.map(route) };
    }
    if (method === 'GET' && parts.length === 5 && parts[3] === 'routes') {
      api(parts[2] ?? '');
      const found = routes.find((r) => r.routeId === parts[4]);
      if (!found)
        throw new AwsError('NotFoundException', `Invalid Route identifier specified ${parts[4]}`, 404);
      return route(found);
    }
    throw unknownOperation('API Gateway', `${method} ${path}`);
  };
}
