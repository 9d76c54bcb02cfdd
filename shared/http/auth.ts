import { JwtVerifier } from 'aws-jwt-verify';
import type { Fetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import type { JwtConfig } from '../config.ts';
import { HttpError } from './errors.ts';

/** Scopes of the API (resource server `inventory`). */
export const Scope = { Write: 'inventory/write', Admin: 'inventory/admin' } as const;
export type Scope = (typeof Scope)[keyof typeof Scope];

/**
 * Fetches JWKS with the platform's `fetch`. aws-jwt-verify's default fetcher speaks HTTPS
 * only; this one serves `https://` issuers (Cognito, any IdP) and the local cloud's plain
 * `http://` issuer with the same code.
 */
export const fetchJwksFetcher: Fetcher = {
  async fetch(uri) {
    const response = await fetch(uri, { signal: AbortSignal.timeout(3000) });
    if (!response.ok) throw new Error(`JWKS fetch from ${uri} failed with HTTP ${response.status}`);
    return await response.arrayBuffer();
  },
};

export interface Principal {
  subject: string;
  scopes: string[];
  clientId?: string;
}

export type TokenVerifier = (authorization: string | undefined, scope: Scope) => Promise<Principal>;

/**
 * Verifies bearer tokens inside the function (defence in depth behind the API Gateway JWT
 * authorizer): signature against the issuer's JWKS (RS/ES/PS algorithms only, so `none`
 * and HMAC tokens are refused), issuer, expiry, audience (`aud`, or Cognito's `client_id`
 * for access tokens) and the route's scope.
 */
export function createTokenVerifier(config: JwtConfig, fetcher: Fetcher = fetchJwksFetcher): TokenVerifier {
  const audiences = new Set(config.audience);
  const verifier = JwtVerifier.create(
    {
      issuer: config.issuer,
      jwksUri: config.jwksUri,
      audience: null,
      customJwtCheck: ({ payload }) => {
        const aud = payload.aud === undefined ? [] : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
        const clientId = typeof payload.client_id === 'string' ? [payload.client_id] : [];
        if (![...aud, ...clientId].some((a) => audiences.has(a))) {
          throw new Error('Token audience is not accepted');
        }
      },
    },
    { jwksCache: new SimpleJwksCache({ fetcher }) },
  );
  return async (authorization, scope) => {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '');
    if (!match?.[1]) throw new HttpError(401, 'UNAUTHORIZED', 'A bearer token is required');
    let payload: JwtPayload;
    try {
      payload = await verifier.verify(match[1]);
    } catch {
      throw new HttpError(401, 'UNAUTHORIZED', 'The token is not valid');
    }
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
    if (!scopes.includes(scope)) throw new HttpError(403, 'FORBIDDEN', `The token lacks the scope ${scope}`);
    return {
      subject: String(payload.sub ?? payload.client_id ?? 'unknown'),
      scopes,
      ...(typeof payload.client_id === 'string' ? { clientId: payload.client_id } : {}),
    };
  };
}
