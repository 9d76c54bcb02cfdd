/**
 * npm run -s token -- --scopes "inventory/write inventory/admin" [--expires-in SECONDS]
 * Prints only a JWT signed by the local cloud's issuer (keys under .local/issuer).
 */
import { join } from 'node:path';
import { issuerUrl, LocalIssuer } from '../issuer.ts';
import { flag } from './outputs.ts';

const args = process.argv.slice(2);
const scopes = (flag(args, 'scopes') ?? 'inventory/write').split(/[\s,]+/).filter(Boolean);
const expiresIn = Number(flag(args, 'expires-in') ?? 3600);
if (!Number.isInteger(expiresIn) || expiresIn <= 0) {
  console.error('--expires-in must be a positive number of seconds');
  process.exit(2);
}
const port = Number(process.env.LOCAL_AWS_PORT ?? 4566);
const issuer = await LocalIssuer.load(join(process.cwd(), '.local', 'issuer'), issuerUrl(port));
process.stdout.write(
  `${await issuer.sign({ scopes, expiresInSeconds: expiresIn, ...(flag(args, 'subject') ? { subject: flag(args, 'subject') } : {}) })}\n`,
);
