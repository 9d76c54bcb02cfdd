import { jsonResponse } from './errors.ts';
import type { RouteHandler } from './middleware.ts';

/** Liveness and the OpenAPI document (built at build time: `npm run openapi`), apart from every other route. */
export function healthRoutes(openapi: unknown): Record<string, RouteHandler> {
  return {
    'GET /health': async () => jsonResponse(200, { status: 'ok' }),
    'GET /openapi.json': async () => jsonResponse(200, openapi),
  };
}
