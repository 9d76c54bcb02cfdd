import { domainDependencies } from '../shared/composition.ts';
import { adminRoutes } from '../shared/http/admin-routes.ts';
import { tokenVerifier } from '../shared/http/auth.ts';
import { createHttpHandler } from '../shared/http/middleware.ts';

/** Stock administration (scope inventory/admin). */
export const handler = createHttpHandler(adminRoutes(domainDependencies()), { verifyToken: tokenVerifier() });
