import { createHmac, timingSafeEqual } from 'node:crypto';
import { SignatureError } from './errors.js';
import { err, ok, type Result } from './result.js';

/** The two signed actions. Each has its own derived key: an unsubscribe token is not a mark-read token. */
export const LinkAction = { unsubscribe: 'unsubscribe', markRead: 'mark-read' } as const;
export type LinkAction = (typeof LinkAction)[keyof typeof LinkAction];

export interface LinkParams {
  readonly messageId: string;
  readonly dispatchId: string;
  /** Unix time in seconds after which the link is refused; absent for links that never expire. */
  readonly expires?: number;
}

/** Derived keys, cached: deriving costs one HMAC, and every sent dispatch signs two links. */
const derivedKeys = new Map<string, Buffer>();

function derivedKey(secret: string, action: LinkAction): Buffer {
  const cacheKey = `${action}\u0000${secret}`;
  let key = derivedKeys.get(cacheKey);
  if (!key) {
    key = createHmac('sha256', secret).update(`sitemsg:link:${action}`).digest();
    if (derivedKeys.size > 64) derivedKeys.clear();
    derivedKeys.set(cacheKey, key);
  }
  return key;
}

/** HMAC-SHA256 of the link's parameters under a key derived from the secret for this action. */
export function signLink(secret: string, action: LinkAction, params: LinkParams): string {
  const key = derivedKey(secret, action);
  const payload = [params.messageId, params.dispatchId, params.expires ?? ''].join(':');
  return createHmac('sha256', key).update(payload).digest('base64url');
}

/** Checks a link's token in constant time, then its expiry. */
export function verifyLink(
  secret: string,
  action: LinkAction,
  params: LinkParams,
  token: string,
  nowMs: number,
): Result<void, SignatureError> {
  const expected = Buffer.from(signLink(secret, action, params));
  const given = Buffer.from(typeof token === 'string' ? token : '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return err(new SignatureError(`The ${action} link's signature does not match.`));
  }
  if (params.expires !== undefined && params.expires * 1000 < nowMs) {
    return err(new SignatureError(`The ${action} link has expired.`));
  }
  return ok(undefined);
}

/**
 * `{siteUrl}{basePath}/{action}/{messageId}/{dispatchId}/{token}[?expires=...]` — the path the
 * express views mount.
 */
export function buildLinkUrl(
  siteUrl: string,
  basePath: string,
  action: LinkAction,
  params: LinkParams,
  token: string,
): string {
  const path = [action, params.messageId, params.dispatchId, token].map(encodeURIComponent).join('/');
  const query = params.expires === undefined ? '' : `?expires=${params.expires}`;
  return `${siteUrl.replace(/\/+$/, '')}${basePath}/${path}${query}`;
}
