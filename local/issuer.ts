import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createLocalJWKSet,
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  importPKCS8,
  type JSONWebKeySet,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';
import { CLOCK_SKEW_SECONDS, checkTokenClaims } from '../shared/http/token-claims.ts';

export const LOCAL_AUDIENCE = 'inventory-local';
export const issuerUrl = (edgePort: number) => `http://127.0.0.1:${edgePort}/_local/issuer`;

/**
 * The local cloud's token issuer: an RS256 key pair kept under `.local/issuer/` (so
 * tokens survive restarts), its JWKS, and a signer for `npm run token`.
 */
export class LocalIssuer {
  private constructor(
    readonly issuer: string,
    readonly jwks: JSONWebKeySet,
    private readonly privateKey: Awaited<ReturnType<typeof importPKCS8>>,
    private readonly kid: string,
  ) {}

  static async load(dir: string, issuer: string): Promise<LocalIssuer> {
    mkdirSync(dir, { recursive: true });
    const keyFile = join(dir, 'private-key.pem');
    const jwksFile = join(dir, 'jwks.json');
    if (!existsSync(keyFile) || !existsSync(jwksFile)) {
      const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
      const kid = `local-${Date.now().toString(36)}`;
      writeFileSync(keyFile, await exportPKCS8(privateKey), { mode: 0o600 });
      writeFileSync(
        jwksFile,
        JSON.stringify(
          { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }] },
          null,
          2,
        ),
      );
    }
    const jwks = JSON.parse(readFileSync(jwksFile, 'utf8')) as JSONWebKeySet;
    const kid = String(jwks.keys[0]?.kid);
    return new LocalIssuer(issuer, jwks, await importPKCS8(readFileSync(keyFile, 'utf8'), 'RS256'), kid);
  }

  /**
   * What the issuer answers at `pathname` of its own URL: its OpenID discovery document and its
   * JWKS, as a JWT verifier fetches them (undefined for any other path).
   */
  wellKnown(pathname: string): unknown {
    const base = new URL(this.issuer).pathname.replace(/\/$/, '');
    if (pathname === `${base}/.well-known/jwks.json`) return this.jwks;
    if (pathname === `${base}/.well-known/openid-configuration`) {
      return { issuer: this.issuer, jwks_uri: `${this.issuer}/.well-known/jwks.json` };
    }
    return undefined;
  }

  sign(options: {
    scopes: string[];
    subject?: string;
    audience?: string;
    expiresInSeconds?: number;
  }): Promise<string> {
    return new SignJWT({ scope: options.scopes.join(' '), client_id: options.audience ?? LOCAL_AUDIENCE })
      .setProtectedHeader({ alg: 'RS256', kid: this.kid, typ: 'JWT' })
      .setIssuer(this.issuer)
      .setAudience(options.audience ?? LOCAL_AUDIENCE)
      .setSubject(options.subject ?? 'local-developer')
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + (options.expiresInSeconds ?? 3600))
      .sign(this.privateKey);
  }

  /**
   * What API Gateway's JWT authorizer checks, with the function's claim rules
   * (shared/http/token-claims.ts): signature, issuer, exp required, nbf/iat with skew, aud
   * (client_id only without aud). A refusal's message is its reason; it never holds the token.
   */
  async verify(token: string, issuer: string, audience: string[]): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, createLocalJWKSet(this.jwks), {
        issuer,
        algorithms: ['RS256'],
        clockTolerance: CLOCK_SKEW_SECONDS,
      });
      checkTokenClaims(payload, audience);
      return payload;
    } catch (error) {
      // What API Gateway says in `www-authenticate`; the token itself is never printed.
      const reason = `${(error as Error).name}: ${(error as Error).message}`.split(token).join('<token>');
      console.warn(`[local authorizer] token refused: ${reason.slice(0, 300)}`);
      throw error;
    }
  }
}
