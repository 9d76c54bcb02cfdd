import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importPKCS8, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LOCAL_AUDIENCE, LocalIssuer } from '../../../local/issuer.ts';
import { CLOCK_SKEW_SECONDS } from '../../../shared/http/token-claims.ts';

/** The local cloud's authorizer applies the same claim rules as the function (token-claims.ts). */
const ISSUER = 'http://127.0.0.1:4566/_local/issuer';
const now = () => Math.floor(Date.now() / 1000);
let dir: string;
let issuer: LocalIssuer;
let sign: (claims: JWTPayload) => Promise<string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'local-issuer-'));
  issuer = await LocalIssuer.load(dir, ISSUER);
  const { readFileSync } = await import('node:fs');
  const key = await importPKCS8(readFileSync(join(dir, 'private-key.pem'), 'utf8'), 'RS256');
  const kid = String(issuer.jwks.keys[0]?.kid);
  sign = (claims) =>
    new SignJWT({ iss: ISSUER, ...claims }).setProtectedHeader({ alg: 'RS256', kid }).sign(key);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('local authorizer token rules', () => {
  const verify = (token: string) => issuer.verify(token, ISSUER, [LOCAL_AUDIENCE]);

  it('accepts the tokens `npm run token` signs', async () => {
    await expect(verify(await issuer.sign({ scopes: ['inventory/write'] }))).resolves.toMatchObject({
      sub: 'local-developer',
    });
  });

  it('refuses a token without exp', async () => {
    await expect(verify(await sign({ aud: LOCAL_AUDIENCE, sub: 'u', iat: now() }))).rejects.toThrow(/exp/);
  });

  it('refuses iat and nbf in the future beyond the skew', async () => {
    const late = now() + CLOCK_SKEW_SECONDS + 30;
    const base = { aud: LOCAL_AUDIENCE, sub: 'u', exp: now() + 600 };
    await expect(verify(await sign({ ...base, iat: late }))).rejects.toThrow(/iat/);
    await expect(verify(await sign({ ...base, nbf: late }))).rejects.toThrow();
  });

  it('prints why a token was refused, never the token', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const token = await sign({ aud: LOCAL_AUDIENCE, sub: 'u', iat: now() });
      await expect(verify(token)).rejects.toThrow();
      const printed = warn.mock.calls.map((c) => String(c[0])).join('\n');
      expect(printed).toMatch(/token refused: .*exp/);
      expect(printed).not.toContain(token.split('.')[2]);
    } finally {
      warn.mockRestore();
    }
  });

  it('reads client_id only when aud is absent', async () => {
    const base = { sub: 'u', exp: now() + 600, iat: now() };
    await expect(
      verify(await sign({ ...base, aud: 'someone-else', client_id: LOCAL_AUDIENCE })),
    ).rejects.toThrow(/aud/);
    await expect(verify(await sign({ ...base, client_id: LOCAL_AUDIENCE }))).resolves.toMatchObject({
      sub: 'u',
    });
  });
});
