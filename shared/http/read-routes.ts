import type { Dependencies } from '../domain/ports.ts';
import { checkAvailability, getItem, listItems } from '../domain/use-cases/index.ts';
import { openCursor, sealCursor } from './cursor.ts';
import { jsonResponse } from './errors.ts';
import type { RouteHandler } from './middleware.ts';
import { checkAvailabilityRequest, itemIdSchema, linesOf, listQuery } from './schemas.ts';

/** Public reads (no scope in the route table): the function loads neither token verification nor idempotency. */
export function readRoutes(
  deps: Pick<Dependencies, 'store'> & { cursorKey: string },
): Record<string, RouteHandler> {
  return {
    'GET /api/inventory': async ({ event }) => {
      const query = listQuery.parse(event.queryStringParameters ?? {});
      const cursor = query.nextToken ? openCursor(query.nextToken, deps.cursorKey) : undefined;
      const page = await listItems({ limit: query.limit, ...(cursor ? { cursor } : {}) }, deps);
      return jsonResponse(200, {
        items: page.items,
        ...(page.cursor ? { nextToken: sealCursor(page.cursor, deps.cursorKey) } : {}),
      });
    },
    'GET /api/inventory/{itemId}': async ({ event }) => {
      const itemId = itemIdSchema.parse(event.pathParameters?.itemId);
      return jsonResponse(200, await getItem(itemId, deps));
    },
    'POST /api/inventory/check-availability': async ({ body }) => {
      const request = checkAvailabilityRequest.parse(body);
      return jsonResponse(200, await checkAvailability(linesOf(request), deps));
    },
  };
}
