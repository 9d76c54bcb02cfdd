import { createDocumentClient } from '../shared/adapters/aws-clients.ts';
import { DynamoDbInventoryStore } from '../shared/adapters/dynamodb-store.ts';
import { cursorSigningKey, tableName } from '../shared/config.ts';
import { createHttpHandler } from '../shared/http/middleware.ts';
import { readRoutes } from '../shared/http/routes.ts';

const store = new DynamoDbInventoryStore({ client: createDocumentClient(), tableName: tableName() });

/** Public reads: list, get, check availability. */
export const handler = createHttpHandler(readRoutes({ store, cursorKey: cursorSigningKey() }));
