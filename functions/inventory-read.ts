import { inventoryStore } from '../shared/composition.ts';
import { cursorSigningKey } from '../shared/config.ts';
import { createHttpHandler } from '../shared/http/middleware.ts';
import { readRoutes } from '../shared/http/read-routes.ts';

/** Public reads: list, get, check availability. */
export const handler = createHttpHandler(
  readRoutes({ store: inventoryStore(), cursorKey: cursorSigningKey() }),
);
