import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTokenVerifier, nodeHttpFetcher } from '../../../shared/http/auth.ts';
import { HttpError } from '../../../shared/http/errors.ts';
import { CLOCK_SKEW_SECONDS } from '../../../shared/http/token-claims.ts';
import { logger } from '../../../shared/observability.ts';

/**
 * The in-function verifier is at least as strict as API Gateway's JWT authorizer: exp is
 * required, nbf and iat are honoured with CLOCK_SKEW_SECONDS of skew, and client_id counts
 * only when the token has no aud. Every refusal is logged with its reason, never the token.
 */
const ISSUER = 'https://issuer.test';
const AUDIENCE = 'inventory-api';
const now = () => Math.floor(Date.now() / 1000);

let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let jwk: Record<string, unknown>;
const sign = (claims: JWTPayload) =>
  new SignJWT({ iss: ISSUER, ...claims }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(privateKey);

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  privateKey = pair.privateKey;
  jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
});

const bytes = (body: unknown) => new TextEncoder().encode(JSON.stringify(body)).buffer as ArrayBuffer;

function verifierWithJwks(fetched: string[] = []) {
  return createTokenVerifier(
    { issuer: ISSUER, audience: [AUDIENCE], jwksUri: `${ISSUER}/keys` },
    {
      fetch: async (uri) => {
        fetched.push(uri);
        return bytes({ keys: [jwk] });
      },
    },
  );
}

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpError);
  return error as HttpError;
}

describe('token claims, as strict as API Gateway or stricter', () => {
  const write = 'inventory/write';

  it('refuses a token without exp (it would never expire)', async () => {
    const verify = verifierWithJwks();
    const token = await sign({ aud: AUDIENCE, sub: 'u1', scope: write, iat: now() });
    expect((await refusal(verify(`Bearer ${token}`))).statusCode).toBe(401);
  });

  it('refuses iat or nbf further in the future than the skew, accepts them within it', async () => {
    const verify = verifierWithJwks();
    const base = { aud: AUDIENCE, sub: 'u1', scope: write, exp: now() + 600 };
    const late = now() + CLOCK_SKEW_SECONDS + 30;
    expect((await refusal(verify(`Bearer ${await sign({ ...base, iat: late })}`))).statusCode).toBe(401);
    expect((await refusal(verify(`Bearer ${await sign({ ...base, nbf: late })}`))).statusCode).toBe(401);
    const slightlyAhead = now() + Math.floor(CLOCK_SKEW_SECONDS / 2);
    await expect(
      verify(`Bearer ${await sign({ ...base, iat: slightlyAhead, nbf: slightlyAhead })}`),
    ).resolves.toMatchObject({ subject: 'u1' });
  });

  it('accepts an expired token only within the skew', async () => {
    const verify = verifierWithJwks();
    const base = { aud: AUDIENCE, sub: 'u1', scope: write, iat: now() - 3600 };
    await expect(
      verify(`Bearer ${await sign({ ...base, exp: now() - Math.floor(CLOCK_SKEW_SECONDS / 2) })}`),
    ).resolves.toMatchObject({ subject: 'u1' });
    expect(
      (await refusal(verify(`Bearer ${await sign({ ...base, exp: now() - CLOCK_SKEW_SECONDS - 30 })}`)))
        .statusCode,
    ).toBe(401);
  });

  it('reads client_id only when aud is absent: a wrong aud is refused even with a matching client_id', async () => {
    const verify = verifierWithJwks();
    const base = { sub: 'u1', scope: write, exp: now() + 600, iat: now() };
    const wrongAud = await sign({ ...base, aud: 'someone-else', client_id: AUDIENCE });
    expect((await refusal(verify(`Bearer ${wrongAud}`))).statusCode).toBe(401);
    await expect(verify(`Bearer ${await sign({ ...base, client_id: AUDIENCE })}`)).resolves.toMatchObject({
      clientId: AUDIENCE,
    });
    await expect(
      verify(`Bearer ${await sign({ ...base, aud: [AUDIENCE, 'x'], client_id: 'other' })}`),
    ).resolves.toMatchObject({ subject: 'u1' });
  });

  it('logs why a token was refused, never the token itself', async () => {
    const verify = verifierWithJwks();
    const info = vi.spyOn(logger, 'info');
    const warn = vi.spyOn(logger, 'warn');
    try {
      const token = await sign({ aud: AUDIENCE, sub: 'u1', scope: write, iat: now() });
      await refusal(verify(`Bearer ${token}`));
      const lines = [...info.mock.calls, ...warn.mock.calls].map((c) => JSON.stringify(c));
      const line = lines.find((l) => l.includes('Token refused'));
      expect(line).toBeDefined();
      expect(line).toMatch(/exp/);
      for (const l of lines) expect(l).not.toContain(token.split('.')[2]);
    } finally {
      info.mockRestore();
      warn.mockRestore();
    }
  });
});

describe('signing keys: discovery and fetching', () => {
  it("follows the issuer's openid-configuration to its jwks_uri, once (cached)", async () => {
    const fetched: string[] = [];
    const verify = createTokenVerifier(
      { issuer: ISSUER, audience: [AUDIENCE] },
      {
        fetch: async (uri) => {
          fetched.push(uri);
          if (uri === `${ISSUER}/.well-known/openid-configuration`) {
            return bytes({ issuer: ISSUER, jwks_uri: 'https://keys.issuer.test/v1/keys' });
          }
          if (uri === 'https://keys.issuer.test/v1/keys') return bytes({ keys: [jwk] });
          throw new Error(`unexpected ${uri}`);
        },
      },
    );
    const token = await sign({ aud: AUDIENCE, sub: 'u1', scope: 'x', exp: now() + 600, iat: now() });
    await verify(`Bearer ${token}`);
    await verify(`Bearer ${token}`);
    expect(fetched).toEqual([
      `${ISSUER}/.well-known/openid-configuration`,
      'https://keys.issuer.test/v1/keys',
    ]);
  });

  describe('over node:http, on ports that fetch() refuses', () => {
    // WHATWG fetch refuses these "bad ports"; the local cloud may well run on one of them.
    const BAD_PORTS = [6566, 6000, 6665, 6666, 6667, 6668, 6669, 10080];
    let server: Server | undefined;
    let port = 0;
    beforeAll(async () => {
      for (const candidate of BAD_PORTS) {
        const s = createServer((req, res) => {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: req.url }));
        });
        const ok = await new Promise<boolean>((resolve) => {
          s.once('error', () => resolve(false));
          s.listen(candidate, '127.0.0.1', () => resolve(true));
        });
        if (ok) {
          server = s;
          port = candidate;
          break;
        }
      }
    });
    afterAll(async () => {
      await new Promise((resolve) => server?.close(resolve));
    });

    it('fetches from a bad port where fetch() fails', async () => {
      expect(server, `none of ${BAD_PORTS.join(', ')} was free`).toBeDefined();
      const uri = `http://127.0.0.1:${port}/issuer/.well-known/jwks.json`;
      await expect(fetch(uri)).rejects.toThrow();
      const body = JSON.parse(Buffer.from(await nodeHttpFetcher.fetch(uri)).toString('utf8'));
      expect(body).toEqual({ path: '/issuer/.well-known/jwks.json' });
    });

    it('fails with the status on a non-200 answer', async () => {
      const s = createServer((_req, res) => res.writeHead(503).end());
      await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
      const p = (s.address() as { port: number }).port;
      try {
        await expect(nodeHttpFetcher.fetch(`http://127.0.0.1:${p}/x`)).rejects.toThrow(/503/);
      } finally {
        await new Promise((resolve) => s.close(resolve));
      }
    });
  });
});
