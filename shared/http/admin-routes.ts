import * as z from 'zod/mini';
import type { Item } from '../domain/model.ts';
import type { Dependencies } from '../domain/ports.ts';
import { adjustStock, putItem, toItem } from '../domain/use-cases/index.ts';
import { jsonResponse } from './errors.ts';
import type { RouteHandler } from './middleware.ts';
import { itemIdSchema } from './schemas.ts';

/** The bodies of the stock routes. */
export const putItemRequest = z.strictObject({
  name: z.string().check(z.minLength(1), z.maxLength(200)),
  totalQuantity: z.int().check(z.minimum(0), z.maximum(100_000_000)),
});
export const adjustmentRequest = z.strictObject({
  delta: z.int().check(
    z.minimum(-100_000_000),
    z.maximum(100_000_000),
    z.refine((d) => d !== 0, 'delta must not be 0'),
  ),
  reason: z.string().check(z.minLength(1), z.maxLength(256)),
});

/** Stock administration; the route table gives both routes the admin scope. */
export function adminRoutes(deps: Dependencies): Record<string, RouteHandler> {
  return {
    'PUT /api/inventory/{itemId}': async ({ event, body, correlationId }) => {
      const itemId = itemIdSchema.parse(event.pathParameters?.itemId);
      const request = putItemRequest.parse(body);
      const result = await putItem({ itemId, ...request, correlationId }, deps);
      return jsonResponse(result.outcome === 'created' ? 201 : 200, toItem(result.item) satisfies Item);
    },
    'POST /api/inventory/{itemId}/adjustments': async ({ event, body, correlationId }) => {
      const itemId = itemIdSchema.parse(event.pathParameters?.itemId);
      const request = adjustmentRequest.parse(body);
      return jsonResponse(200, toItem(await adjustStock({ itemId, ...request, correlationId }, deps)));
    },
  };
}
