import { createHmac, timingSafeEqual } from 'node:crypto';
import { HttpError } from './errors.ts';

/**
 * `nextToken` as the API hands it out: the store's cursor and an HMAC-SHA256 tag over it,
 * keyed with CURSOR_SIGNING_KEY, both base64url, joined by a dot. Only a token this
 * deployment issued opens; anything else (forged, edited, from another deployment) is a
 * 400 INVALID_CURSOR before DynamoDB sees it.
 */
const CONTEXT = 'inventory.items.v1';

const tagOf = (key: string, payload: string) =>
  createHmac('sha256', key).update(`${CONTEXT}\n${payload}`).digest();

export function sealCursor(cursor: string, key: string): string {
  const payload = Buffer.from(cursor, 'utf8').toString('base64url');
  return `${payload}.${tagOf(key, payload).toString('base64url')}`;
}

export function openCursor(token: string, key: string): string {
  const invalid = () => new HttpError(400, 'INVALID_CURSOR', 'nextToken is not a cursor this API issued');
  const [payload, tag, ...rest] = token.split('.');
  if (!payload || !tag || rest.length > 0) throw invalid();
  const expected = tagOf(key, payload);
  const given = Buffer.from(tag, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
  return Buffer.from(payload, 'base64url').toString('utf8');
}
