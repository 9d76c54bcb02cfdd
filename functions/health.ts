import openapi from '../openapi.json' with { type: 'json' };
import { createHttpHandler } from '../shared/http/middleware.ts';
import { healthRoutes } from '../shared/http/routes.ts';

/** `GET /health` and `GET /openapi.json`. */
export const handler = createHttpHandler(healthRoutes(openapi));
