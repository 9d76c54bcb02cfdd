/**
 * The claim rules every token check of ours applies (the function's verifier and the local
 * cloud's authorizer), written once. They are API Gateway's JWT authorizer rules or
 * stricter:
 * - `exp` is required (API Gateway refuses a token without one; a token without `exp`
 *   would never expire);
 * - `exp`, `nbf` and `iat` are honoured with {@link CLOCK_SKEW_SECONDS} of clock skew;
 * - the audience is `aud` when the token has one; `client_id` (Cognito access tokens) is
 *   read only when `aud` is absent, as API Gateway does.
 * Signature, algorithm and issuer are checked by the JWT library before these rules run.
 */

/**
 * Clock skew tolerated between the issuer and us: one minute. Enough for NTP-synchronised
 * hosts (Lambda's clock is synced to within milliseconds), small next to token lifetimes
 * of 5 to 60 minutes, so an expired token is refused at most a minute late.
 */
export const CLOCK_SKEW_SECONDS = 60;

/** A token refused for a reason that may be logged (it never contains the token). */
export class TokenRefusedError extends Error {
  override name = 'TokenRefusedError' as const;
}

export interface TokenClaims {
  exp?: unknown;
  nbf?: unknown;
  iat?: unknown;
  aud?: unknown;
  client_id?: unknown;
}

/** Throws {@link TokenRefusedError} naming the first rule the claims break. */
export function checkTokenClaims(
  claims: TokenClaims,
  audiences: readonly string[],
  nowSeconds: number = Date.now() / 1000,
): void {
  if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) {
    throw new TokenRefusedError('the token has no numeric exp claim');
  }
  if (claims.exp + CLOCK_SKEW_SECONDS < nowSeconds) throw new TokenRefusedError('the token has expired');
  for (const name of ['nbf', 'iat'] as const) {
    const value = claims[name];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new TokenRefusedError(`the token's ${name} claim is not a number`);
    }
    if (value - CLOCK_SKEW_SECONDS > nowSeconds) {
      throw new TokenRefusedError(`the token's ${name} claim is in the future`);
    }
  }
  if (claims.aud !== undefined) {
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.some((a) => typeof a === 'string' && audiences.includes(a))) {
      throw new TokenRefusedError('the token audience (aud) is not accepted');
    }
    return;
  }
  if (typeof claims.client_id !== 'string' || !audiences.includes(claims.client_id)) {
    throw new TokenRefusedError('the token has no aud and its client_id is not accepted');
  }
}

/**
 * True for an issuer we may trust: https, or plain http on a loopback address (the local
 * cloud's issuer, which API Gateway could never reach in a deployment anyway).
 */
export function isAcceptableIssuerUrl(issuer: string): boolean {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return false;
  }
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}
