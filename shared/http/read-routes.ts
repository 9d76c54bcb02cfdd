import * as z from 'zod/mini';
import type { Dependencies } from '../domain/ports.ts';
import { checkAvailability, getItem, listItems } from '../domain/use-cases/index.ts';
import { openCursor, sealCursor } from './cursor.ts';
import { jsonResponse } from './errors.ts';
import type { RouteHandler } from './middleware.ts';
import { itemIdSchema, linesOf, withLines } from './schemas.ts';

/** The availability check's body, and the list's query string. */
export const checkAvailabilityRequest = withLines({});
export const listQuery = z.strictObject({
  limit: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100)), 20),
  nextToken: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
});

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
