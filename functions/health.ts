import openapi from '../openapi.json' with { type: 'json' };
import { healthRoutes } from '../shared/http/health-routes.ts';
import { createHttpHandler } from '../shared/http/middleware.ts';

/** `GET /health` and `GET /openapi.json`. */
export const handler = createHttpHandler(healthRoutes(openapi));
