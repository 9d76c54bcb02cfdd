import type { Item } from '../domain/model.ts';
import type { Dependencies } from '../domain/ports.ts';
import { adjustStock, putItem, toItem } from '../domain/use-cases/index.ts';
import { jsonResponse } from './errors.ts';
import type { RouteHandler } from './middleware.ts';
import { adjustmentRequest, itemIdSchema, putItemRequest } from './schemas.ts';

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
