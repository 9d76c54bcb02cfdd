import { isAcceptableIssuerUrl } from './http/token-claims.ts';

/**
 * The one place that reads environment variables. Resource names have no defaults: a
 * missing one fails at cold start naming the variable, not later with a vague AWS error.
 */

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new ConfigError(`Missing required environment variable ${name}`);
  }
  return value;
}

/** An integer setting: the default applies only when the variable is absent. */
export function intEnv(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new ConfigError(`Environment variable ${name} must be a positive integer, got "${raw}"`);
  }
  return value;
}

export const tableName = (env?: NodeJS.ProcessEnv) => requireEnv('TABLE_NAME', env);
export const idempotencyTableName = (env?: NodeJS.ProcessEnv) => requireEnv('IDEMPOTENCY_TABLE_NAME', env);
export const eventBusName = (env?: NodeJS.ProcessEnv) => requireEnv('EVENT_BUS_NAME', env);
export const reservationTtlSeconds = (env?: NodeJS.ProcessEnv) => intEnv('RESERVATION_TTL_SECONDS', 900, env);

/** The reconciler repairs only when told to (a human decides; `npm run audit -- --repair`). */
export const reconcileRepair = (env: NodeJS.ProcessEnv = process.env) => env.RECONCILE_REPAIR === 'true';

export interface JwtConfig {
  issuer: string;
  audience: string[];
  /** Where the signing keys are; absent: the issuer's OpenID discovery document says. */
  jwksUri?: string;
}

/**
 * JWT_ISSUER (https, or http on loopback for the local cloud), JWT_AUDIENCE (comma-separated)
 * and optionally JWT_JWKS_URI (else discovered from the issuer, as API Gateway does).
 */
export function jwtConfig(env: NodeJS.ProcessEnv = process.env): JwtConfig {
  const issuer = requireEnv('JWT_ISSUER', env);
  if (!isAcceptableIssuerUrl(issuer)) {
    throw new ConfigError(`JWT_ISSUER must be an https URL (or http on loopback), got "${issuer}"`);
  }
  const jwksUri = env.JWT_JWKS_URI?.trim();
  if (jwksUri && !isAcceptableIssuerUrl(jwksUri)) {
    throw new ConfigError(`JWT_JWKS_URI must be an https URL (or http on loopback), got "${jwksUri}"`);
  }
  return {
    issuer,
    audience: requireEnv('JWT_AUDIENCE', env)
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean),
    ...(jwksUri ? { jwksUri } : {}),
  };
}

/** Shortest accepted cursor key: 32 bytes of entropy as the CDK generates it. */
export const MIN_CURSOR_KEY_LENGTH = 32;

/** CURSOR_SIGNING_KEY: the HMAC key that authenticates `nextToken` cursors. */
export function cursorSigningKey(env: NodeJS.ProcessEnv = process.env): string {
  const key = requireEnv('CURSOR_SIGNING_KEY', env);
  if (key.length < MIN_CURSOR_KEY_LENGTH) {
    throw new ConfigError(`CURSOR_SIGNING_KEY must be at least ${MIN_CURSOR_KEY_LENGTH} characters`);
  }
  return key;
}
