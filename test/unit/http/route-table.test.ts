import { describe, expect, it } from 'vitest';
import { adminRoutes } from '../../../shared/http/admin-routes.ts';
import type { Principal, TokenVerifier } from '../../../shared/http/auth.ts';
import { HttpError } from '../../../shared/http/errors.ts';
import { healthRoutes } from '../../../shared/http/health-routes.ts';
import { createHttpHandler, type HttpRequest } from '../../../shared/http/middleware.ts';
import { buildOpenApiDocument } from '../../../shared/http/openapi.ts';
import { readRoutes } from '../../../shared/http/read-routes.ts';
import { ROUTE_TABLE, routeKeyOf, Scope } from '../../../shared/http/route-table.ts';
import { reservationRoutes } from '../../../shared/http/routes.ts';
import { call, httpEvent } from '../../support/http.ts';

/**
 * One route table feeds the in-function scope check (here), the OpenAPI security (here) and
 * the CDK routes and authorizer scopes (test/infra/trust.test.ts).
 */
const ALL_SCOPES = Object.values(Scope);
const verifyToken: TokenVerifier = async (authorization) => {
  if (!authorization) throw new HttpError(401, 'UNAUTHORIZED', 'no token');
  return {
    subject: 'u1',
    scopes: authorization
      .replace(/^Bearer /, '')
      .split(',')
      .filter(Boolean),
  };
};

describe('route table', () => {
  it('lists exactly the routes each function serves', () => {
    const none = {} as never;
    const served = {
      health: Object.keys(healthRoutes({})),
      'inventory-read': Object.keys(readRoutes(none)),
      reservations: Object.keys(reservationRoutes({ createPersistenceStore: () => none } as never)),
      'inventory-admin': Object.keys(adminRoutes(none)),
    };
    for (const [fn, keys] of Object.entries(served)) {
      const listed = ROUTE_TABLE.filter((r) => r.fn === fn).map(routeKeyOf);
      expect(keys.sort(), fn).toEqual(listed.sort());
    }
  });

  it('documents each route with the OpenAPI security its scopes give, and nothing else', () => {
    const doc = buildOpenApiDocument() as { paths: Record<string, Record<string, { security?: unknown }>> };
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op })),
    );
    expect(documented.map((d) => d.key).sort()).toEqual(ROUTE_TABLE.map(routeKeyOf).sort());
    for (const route of ROUTE_TABLE) {
      const op = documented.find((d) => d.key === routeKeyOf(route))?.op;
      if (route.scopes.length === 0) expect(op?.security, routeKeyOf(route)).toBeUndefined();
      else expect(op?.security, routeKeyOf(route)).toEqual([{ jwt: [...route.scopes] }]);
    }
  });

  const scoped = ROUTE_TABLE.filter((r) => r.scopes.length > 0);
  it.each(scoped.map((r) => [routeKeyOf(r), r] as const))(
    '%s: 401 without a token, 403 without one of its scopes, the route with any of them',
    async (routeKey, route) => {
      const seen: (Principal | undefined)[] = [];
      const handler = createHttpHandler(
        {
          [routeKey]: async (request: HttpRequest) => {
            seen.push(request.principal);
            return { statusCode: 200, body: '{}' };
          },
        },
        { verifyToken },
      );
      const send = (scopes?: string[]) =>
        call(
          handler,
          httpEvent(routeKey, {
            ...(route.method === 'GET' ? {} : { body: {} }),
            headers: scopes ? { authorization: `Bearer ${scopes.join(',')}` } : {},
          }),
        );
      expect((await send()).status).toBe(401);
      const others = ALL_SCOPES.filter((s) => !(route.scopes as readonly string[]).includes(s));
      expect(await send([...others, 'openid'])).toMatchObject({
        status: 403,
        body: { error: { code: 'FORBIDDEN' } },
      });
      for (const scope of route.scopes) expect((await send([scope])).status, scope).toBe(200);
      expect(seen.every((p) => p?.subject === 'u1')).toBe(true);
    },
  );

  it('refuses to build a handler whose scoped routes have no token verifier', () => {
    expect(() =>
      createHttpHandler({ 'POST /api/inventory/reserve': async () => ({ statusCode: 200 }) }),
    ).toThrow(/verifyToken/);
  });

  it('gives reserve to write and service, release and read also to admin, stock to admin only', () => {
    const scopesOf = (key: string) => ROUTE_TABLE.find((r) => routeKeyOf(r) === key)?.scopes;
    expect(scopesOf('POST /api/inventory/reserve')).toEqual([Scope.Write, Scope.Service]);
    expect(scopesOf('POST /api/inventory/release')).toEqual([Scope.Write, Scope.Service, Scope.Admin]);
    expect(scopesOf('GET /api/inventory/reservations/{bookingId}')).toEqual([
      Scope.Write,
      Scope.Service,
      Scope.Admin,
    ]);
    expect(scopesOf('PUT /api/inventory/{itemId}')).toEqual([Scope.Admin]);
  });
});
