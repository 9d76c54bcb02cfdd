import { domainDependencies, tokenVerifier } from '../shared/composition.ts';
import { createHttpHandler } from '../shared/http/middleware.ts';
import { adminRoutes } from '../shared/http/routes.ts';

/** Stock administration (scope inventory/admin). */
export const handler = createHttpHandler(adminRoutes(domainDependencies()), { verifyToken: tokenVerifier() });
