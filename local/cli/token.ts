/**
 * npm run -s token -- --scopes "inventory/write inventory/admin" [--expires-in SECONDS]
 *   [--subject SUB] [--issuer URL] [--outputs FILE]
 * Prints only a JWT signed by the local cloud's issuer (keys under .local/issuer), for
 * the issuer the running cloud announces in its outputs (`JwtIssuer` in
 * .local/outputs.json), whatever port it runs on.
 */
import { join } from 'node:path';
import { issuerUrl, LocalIssuer } from '../issuer.ts';
import { flag, readOutputs } from './outputs.ts';

const args = process.argv.slice(2);
const scopes = (flag(args, 'scopes') ?? 'inventory/write').split(/[\s,]+/).filter(Boolean);
const expiresIn = Number(flag(args, 'expires-in') ?? 3600);
if (!Number.isInteger(expiresIn) || expiresIn <= 0) {
  console.error('--expires-in must be a positive number of seconds');
  process.exit(2);
}
const outputs = readOutputs(flag(args, 'outputs'));
const issuerOf = () => {
  const explicit = flag(args, 'issuer') ?? outputs.JwtIssuer;
  if (explicit) return explicit;
  if (process.env.LOCAL_AWS_PORT) return issuerUrl(Number(process.env.LOCAL_AWS_PORT));
  console.error(
    'No issuer: start the local cloud (npm start writes .local/outputs.json), or pass --issuer URL / --outputs FILE',
  );
  process.exit(2);
};
const issuer = await LocalIssuer.load(join(process.cwd(), '.local', 'issuer'), issuerOf());
const subject = flag(args, 'subject');
process.stdout.write(
  `${await issuer.sign({ scopes, expiresInSeconds: expiresIn, ...(subject ? { subject } : {}) })}\n`,
);
