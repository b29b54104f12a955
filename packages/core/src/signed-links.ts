import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
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
  /**
   * The recipient, sealed (`sealRecipient`): what an unsubscribe link acts on once the dispatch
   * itself has been cleaned up, so a mail stays unsubscribable for the link's whole life.
   */
  readonly recipient?: string;
}

/** What an unsubscribe acts on: an address (and its user) on one messenger, for one message type. */
export interface LinkRecipient {
  readonly messageType: string;
  readonly messenger: string;
  readonly address: string;
  readonly userId: string | null;
}

/** Derived keys, cached: deriving costs one HMAC, and every sent dispatch signs two links. */
const derivedKeys = new Map<string, Buffer>();

function derivedKey(secret: string, action: LinkAction | 'recipient'): Buffer {
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
  // Links without a sealed recipient keep the signature they always had.
  const signed = params.recipient === undefined ? payload : `${payload}:${params.recipient}`;
  return createHmac('sha256', key).update(signed).digest('base64url');
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals a recipient into a link parameter (AES-256-GCM under a key derived from the secret), so
 * the link can act on it without the dispatch and without showing the address in the URL.
 */
export function sealRecipient(secret: string, recipient: LinkRecipient): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', derivedKey(secret, 'recipient'), iv);
  const plain = JSON.stringify([
    recipient.messageType,
    recipient.messenger,
    recipient.address,
    recipient.userId,
  ]);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

/** Opens what `sealRecipient` sealed; null when it was not sealed under this secret or is malformed. */
export function openRecipient(secret: string, sealed: string): LinkRecipient | null {
  const raw = Buffer.from(typeof sealed === 'string' ? sealed : '', 'base64url');
  if (raw.length <= IV_BYTES + TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      derivedKey(secret, 'recipient'),
      raw.subarray(0, IV_BYTES),
    );
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    const plain = Buffer.concat([
      decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)),
      decipher.final(),
    ]);
    const value: unknown = JSON.parse(plain.toString('utf8'));
    if (!Array.isArray(value) || value.length !== 4) return null;
    const [messageType, messenger, address, userId] = value as unknown[];
    if (typeof messageType !== 'string' || typeof messenger !== 'string' || typeof address !== 'string')
      return null;
    if (userId !== null && typeof userId !== 'string') return null;
    return { messageType, messenger, address, userId };
  } catch {
    return null;
  }
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
 * `{siteUrl}{basePath}/{action}/{messageId}/{dispatchId}/{token}[?expires=...][&r=...]` — the
 * path the express views mount (`r`: the sealed recipient of an unsubscribe link).
 */
export function buildLinkUrl(
  siteUrl: string,
  basePath: string,
  action: LinkAction,
  params: LinkParams,
  token: string,
): string {
  const path = [action, params.messageId, params.dispatchId, token].map(encodeURIComponent).join('/');
  const query = new URLSearchParams();
  if (params.expires !== undefined) query.set('expires', String(params.expires));
  if (params.recipient !== undefined) query.set('r', params.recipient);
  const search = query.toString() === '' ? '' : `?${query}`;
  return `${siteUrl.replace(/\/+$/, '')}${basePath}/${path}${search}`;
}

/** A link as a request carries it: what `verifySignedLink` and the handlers take. */
export interface SignedLink {
  readonly messageId: string;
  readonly dispatchId: string;
  readonly token: string;
  /** Unix seconds, when the link carries an expiry. */
  readonly expires?: number;
  /** The sealed recipient (`r` in the URL) an unsubscribe link carries. */
  readonly recipient?: string;
}

/**
 * Reads a link URL that `buildLinkUrl` made (a full URL, or a path with its query) back into its
 * action and parts, for any web framework: null when it is not such a link or is malformed
 * (bad percent-encoding, a non-numeric expiry). Nothing is verified here.
 */
export function parseSignedLink(url: string | URL): { action: LinkAction; link: SignedLink } | null {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url, 'http://link.invalid') : url;
  } catch {
    return null;
  }
  const segments = parsed.pathname.split('/').slice(-4);
  if (segments.length !== 4) return null;
  const [action, messageId, dispatchId, token] = segments.map(decodeSegment);
  if (action !== LinkAction.unsubscribe && action !== LinkAction.markRead) return null;
  if (!messageId || !dispatchId || !token) return null;
  const expires = parsed.searchParams.get('expires');
  if (expires !== null && !/^\d{1,12}$/.test(expires)) return null;
  const recipient = parsed.searchParams.get('r');
  return {
    action,
    link: {
      messageId,
      dispatchId,
      token,
      ...(expires !== null && { expires: Number(expires) }),
      ...(recipient !== null && { recipient }),
    },
  };
}

function decodeSegment(segment: string | undefined): string | null {
  if (segment === undefined) return null;
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}
