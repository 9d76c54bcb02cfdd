import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { JwtVerifier } from 'aws-jwt-verify';
import type { Fetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { type JwtConfig, jwtConfig } from '../config.ts';
import { logger } from '../observability.ts';
import { HttpError } from './errors.ts';
import { SERVICE_SCOPES } from './route-table.ts';
import { CLOCK_SKEW_SECONDS, checkTokenClaims, isAcceptableIssuerUrl } from './token-claims.ts';

const FETCH_TIMEOUT_MS = 3000;
/** A JWKS or discovery document is a few KB; refuse anything absurd. */
const MAX_DOCUMENT_BYTES = 512 * 1024;

/**
 * Fetches a JSON document with `node:http`/`node:https`. WHATWG `fetch` refuses "bad ports"
 * (6000, 6566, 6665-6669, 10080, ...), so a local cloud on such a port could never serve its
 * keys through it; aws-jwt-verify's own fetcher speaks https only. This one serves https
 * issuers (Cognito, any IdP) and the local cloud's plain-http loopback issuer alike.
 */
export const nodeHttpFetcher: Fetcher = {
  fetch(uri) {
    const url = new URL(uri);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      return Promise.reject(new Error(`Refusing to fetch ${url.protocol} URL ${uri}`));
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<ArrayBuffer>((resolve, reject) => {
      const req = send(
        url,
        { method: 'GET', timeout: FETCH_TIMEOUT_MS, headers: { accept: 'application/json' } },
        (res) => {
          if (res.statusCode !== 200) {
            res.resume();
            reject(new Error(`GET ${uri} answered HTTP ${res.statusCode}`));
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_DOCUMENT_BYTES)
              req.destroy(new Error(`GET ${uri} is larger than ${MAX_DOCUMENT_BYTES} bytes`));
            else chunks.push(chunk);
          });
          res.on('end', () => {
            const body = Buffer.concat(chunks);
            resolve(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer);
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`GET ${uri} timed out after ${FETCH_TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.end();
    });
  },
};

/** Who called: the token's subject, client and scopes. */
export interface Principal {
  /** The `sub` claim; absent when the token has none. */
  subject?: string;
  clientId?: string;
  scopes: string[];
}

/** What a caller may act as on bookings: a service (any booking) or the owner of its own. */
export type Caller = { kind: 'service' } | { kind: 'owner'; sub: string; clientId?: string };

/**
 * A token with a service scope (inventory/service, inventory/admin) acts as a service;
 * any other caller acts as the owner `{ sub, clientId }` and needs a `sub`.
 */
export function callerOf(principal: Principal): Caller {
  if (principal.scopes.some((s) => (SERVICE_SCOPES as readonly string[]).includes(s))) {
    return { kind: 'service' };
  }
  if (!principal.subject)
    throw new HttpError(403, 'FORBIDDEN', 'The token has no subject (sub) to own a booking');
  return {
    kind: 'owner',
    sub: principal.subject,
    ...(principal.clientId ? { clientId: principal.clientId } : {}),
  };
}

/** Verifies a bearer token (signature, issuer, claims) and returns its principal. */
export type TokenVerifier = (authorization: string | undefined) => Promise<Principal>;

/** The issuer's keys: `<issuer>/.well-known/openid-configuration` -> `jwks_uri`, as API Gateway does. */
export async function discoverJwksUri(issuer: string, fetcher: Fetcher): Promise<string> {
  const uri = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const document = JSON.parse(Buffer.from(await fetcher.fetch(uri)).toString('utf8')) as {
    jwks_uri?: unknown;
  };
  const jwksUri = document.jwks_uri;
  if (typeof jwksUri !== 'string' || !isAcceptableIssuerUrl(jwksUri)) {
    throw new Error(`The OpenID configuration at ${uri} has no usable jwks_uri`);
  }
  return jwksUri;
}

/**
 * Verifies bearer tokens inside the function (defence in depth behind the API Gateway JWT
 * authorizer), at least as strictly: signature against the issuer's JWKS (RS/ES/PS only,
 * so `none` and HMAC tokens are refused), issuer, then the claim rules of
 * `token-claims.ts` (exp required, nbf/iat with skew, aud before client_id). The JWKS URI is
 * the configured one or the issuer's discovery document's; both the URI and the keys are
 * cached for the life of the execution environment (a failed discovery is retried on the
 * next request). Every refusal is logged with its reason, never with the token.
 */
export function createTokenVerifier(config: JwtConfig, fetcher: Fetcher = nodeHttpFetcher): TokenVerifier {
  const build = async () =>
    JwtVerifier.create(
      {
        issuer: config.issuer,
        jwksUri: config.jwksUri ?? (await discoverJwksUri(config.issuer, fetcher)),
        audience: null,
        graceSeconds: CLOCK_SKEW_SECONDS,
        customJwtCheck: ({ payload }) => checkTokenClaims(payload, config.audience),
      },
      { jwksCache: new SimpleJwksCache({ fetcher }) },
    );
  let verifier: ReturnType<typeof build> | undefined;
  const verifierOnce = () => {
    verifier ??= build().catch((error: unknown) => {
      verifier = undefined;
      throw error;
    });
    return verifier;
  };
  const refuse = (reason: string): never => {
    logger.info('Token refused', { reason });
    throw new HttpError(401, 'UNAUTHORIZED', 'The token is not valid');
  };

  return async (authorization) => {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '');
    if (!match?.[1]) {
      logger.info('Token refused', { reason: 'no bearer token in the Authorization header' });
      throw new HttpError(401, 'UNAUTHORIZED', 'A bearer token is required');
    }
    const token = match[1];
    let payload: JwtPayload;
    try {
      payload = await (await verifierOnce()).verify(token);
    } catch (error) {
      const reason = `${(error as Error).name}: ${(error as Error).message}`;
      // Library messages name claims, not the token; strip it anyway should one ever echo it.
      return refuse(reason.split(token).join('<token>').slice(0, 300));
    }
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
    return {
      ...(typeof payload.sub === 'string' && payload.sub !== '' ? { subject: payload.sub } : {}),
      ...(typeof payload.client_id === 'string' ? { clientId: payload.client_id } : {}),
      scopes,
    };
  };
}

/** The in-function token verifier (behind API Gateway's JWT authorizer), configured from the environment. */
export function tokenVerifier(): TokenVerifier {
  return createTokenVerifier(jwtConfig());
}
