import { createDocumentClient, createEventBridgeClient } from '../shared/adapters/aws-clients.ts';
import { systemClock } from '../shared/adapters/clock.ts';
import { DynamoDbInventoryStore } from '../shared/adapters/dynamodb-store.ts';
import { EventBridgePublisher } from '../shared/adapters/eventbridge-publisher.ts';
import { eventBusName, jwtConfig, tableName } from '../shared/config.ts';
import { createTokenVerifier } from '../shared/http/auth.ts';
import { createHttpHandler } from '../shared/http/middleware.ts';
import { adminRoutes } from '../shared/http/routes.ts';
import { logPort } from '../shared/observability.ts';

/** Stock administration (scope inventory/admin). */
export const handler = createHttpHandler(
  adminRoutes({
    store: new DynamoDbInventoryStore({ client: createDocumentClient(), tableName: tableName() }),
    publisher: new EventBridgePublisher({ client: createEventBridgeClient(), eventBusName: eventBusName() }),
    clock: systemClock,
    log: logPort,
  }),
  { verifyToken: createTokenVerifier(jwtConfig()) },
);
