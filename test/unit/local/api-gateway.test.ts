import { describe, expect, it } from 'vitest';
import { MalformedPathError, matchRoute, type Route } from '../../../local/api-gateway.ts';

const routes: Route[] = [
  { routeId: 'R1', method: 'GET', path: '/api/inventory/{itemId}', functionId: 'Read', scopes: [] },
  { routeId: 'R2', method: 'ANY', path: '/files/{proxy+}', functionId: 'Files', scopes: [] },
];

describe('HTTP API route matching', () => {
  it('decodes path parameters, greedy ones included', () => {
    expect(matchRoute(routes, 'GET', '/api/inventory/ROOM%20101')?.pathParameters).toEqual({
      itemId: 'ROOM 101',
    });
    expect(matchRoute(routes, 'POST', '/files/a/b%2Fc')?.pathParameters).toEqual({ proxy: 'a/b/c' });
    expect(matchRoute(routes, 'POST', '/api/inventory/x')).toBeUndefined();
  });

  it('reports malformed percent-encoding as such (the handler answers 400, not 500)', () => {
    expect(() => matchRoute(routes, 'GET', '/api/inventory/%E0%A4%A')).toThrow(MalformedPathError);
    expect(() => matchRoute(routes, 'GET', '/api/inventory/%')).toThrow(MalformedPathError);
  });
});
