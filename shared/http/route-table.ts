/**
 * The HTTP API's routes, each listed once with the function that serves it and the scopes
 * that open it. The CDK stack (routes and JWT authorizer scopes), the in-function scope
 * check (one middleware) and the OpenAPI `security` are all read from this table, so a
 * scope cannot drift between them. No CDK import here: functions bundle this file.
 */

/** The Cognito resource server (and scope prefix) of the API. */
export const RESOURCE_SERVER = 'inventory';

/** Scopes of the API. A route lists the scopes that open it; any one of them suffices. */
export const Scope = {
  /** End users and their apps: reserve, release and read their own bookings. */
  Write: `${RESOURCE_SERVER}/write`,
  /** Trusted services (the booking service, the saga): act on any booking. */
  Service: `${RESOURCE_SERVER}/service`,
  /** Operators: administer stock; act on any booking like a service. */
  Admin: `${RESOURCE_SERVER}/admin`,
  /** Premium customers: a waitlisted booking of theirs is served before standard ones. Opens no route. */
  Premium: `${RESOURCE_SERVER}/premium`,
} as const;
export type Scope = (typeof Scope)[keyof typeof Scope];

/** Who holds each scope and what it allows (README's scopes table, Cognito's descriptions). */
export const SCOPE_DOCS: Record<Scope, { heldBy: string; allows: string }> = {
  [Scope.Write]: {
    heldBy: 'end-user apps (the token subject is the booking owner)',
    allows: 'reserve; read and release only bookings it reserved (others answer 404)',
  },
  [Scope.Service]: {
    heldBy: 'the booking service and other trusted back ends (client credentials)',
    allows: 'reserve; read and release any booking; a release of an unknown booking leaves a tombstone',
  },
  [Scope.Admin]: {
    heldBy: 'operators',
    allows: 'create items, set totals, adjust stock; read and release any booking',
  },
  [Scope.Premium]: {
    heldBy: 'premium customers (beside inventory/write or inventory/service)',
    allows: 'nothing by itself; a booking it waitlists is served in the premium tier',
  },
};

/** Holders of these scopes act as a service (any booking), not as an owner. */
export const SERVICE_SCOPES: readonly Scope[] = [Scope.Service, Scope.Admin];

export type FunctionName = 'health' | 'inventory-read' | 'reservations' | 'inventory-admin';
export type HttpMethodName = 'GET' | 'POST' | 'PUT';

export interface RouteSpec {
  method: HttpMethodName;
  path: string;
  fn: FunctionName;
  /** Empty: public. Otherwise a valid token with at least one of these scopes. */
  scopes: readonly Scope[];
}

export const ROUTE_TABLE = [
  { method: 'GET', path: '/health', fn: 'health', scopes: [] },
  { method: 'GET', path: '/openapi.json', fn: 'health', scopes: [] },
  { method: 'GET', path: '/api/inventory', fn: 'inventory-read', scopes: [] },
  { method: 'GET', path: '/api/inventory/{itemId}', fn: 'inventory-read', scopes: [] },
  { method: 'POST', path: '/api/inventory/check-availability', fn: 'inventory-read', scopes: [] },
  {
    method: 'POST',
    path: '/api/inventory/reserve',
    fn: 'reservations',
    scopes: [Scope.Write, Scope.Service],
  },
  {
    method: 'POST',
    path: '/api/inventory/release',
    fn: 'reservations',
    scopes: [Scope.Write, Scope.Service, Scope.Admin],
  },
  {
    method: 'GET',
    path: '/api/inventory/reservations/{bookingId}',
    fn: 'reservations',
    scopes: [Scope.Write, Scope.Service, Scope.Admin],
  },
  { method: 'PUT', path: '/api/inventory/{itemId}', fn: 'inventory-admin', scopes: [Scope.Admin] },
  {
    method: 'POST',
    path: '/api/inventory/{itemId}/adjustments',
    fn: 'inventory-admin',
    scopes: [Scope.Admin],
  },
] as const satisfies readonly RouteSpec[];

/** API Gateway's route key of a route: `METHOD /path`. */
export const routeKeyOf = (route: Pick<RouteSpec, 'method' | 'path'>) => `${route.method} ${route.path}`;

const byKey = new Map<string, RouteSpec>(ROUTE_TABLE.map((r) => [routeKeyOf(r), r]));

/** The table's entry for a route key, if any. */
export const routeSpecOf = (routeKey: string): RouteSpec | undefined => byKey.get(routeKey);
