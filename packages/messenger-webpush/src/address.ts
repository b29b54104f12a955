/**
 * Push subscriptions as addresses. A browser's `PushSubscription.toJSON()` gives
 * `{ endpoint, expirationTime, keys: { p256dh, auth } }`; sitemsg stores one subscription per
 * dispatch as a canonical JSON string — `{"endpoint":"…","keys":{"p256dh":"…","auth":"…"}}`, keys in
 * unpadded base64url, nothing else — so that the same subscription is always the same address
 * (suppressions and feedback match it) however the application handed it over.
 */
import { ECDH } from 'node:crypto';

/** A push subscription as the browser serialises it (`PushSubscription.toJSON()`). */
export interface PushSubscriptionJSON {
  /** The push service's URL for this subscription (HTTPS). */
  readonly endpoint: string;
  /** When the subscription expires (ms since the epoch), or null. Not stored: the push service's 404/410 says it. */
  readonly expirationTime?: number | null;
  readonly keys: {
    /** The browser's P-256 public key (65 bytes, uncompressed), base64url. */
    readonly p256dh: string;
    /** The 16-byte authentication secret, base64url. */
    readonly auth: string;
  };
}

/** A subscription read from an address: the canonical address and the parts web-push takes. */
export interface ParsedSubscription {
  /** The canonical JSON string stored on the dispatch. */
  readonly address: string;
  readonly endpoint: string;
  /** The endpoint's origin (`https://fcm.googleapis.com`): the push service, and the VAPID audience. */
  readonly origin: string;
  readonly keys: { readonly p256dh: string; readonly auth: string };
}

/** Why a value is not a usable subscription, in words for a ValidationError. */
export type SubscriptionProblem = string;

/** Host patterns of the browsers' push services: `*.` matches any subdomain. */
export const DEFAULT_PUSH_SERVICE_HOSTS: readonly string[] = [
  'fcm.googleapis.com', // Chrome, Edge on Android, Opera, Samsung Internet, Brave
  'updates.push.services.mozilla.com', // Firefox
  '*.push.apple.com', // Safari (web.push.apple.com)
  '*.notify.windows.com', // Edge on Windows (WNS)
];

/** The hosts a subscription's endpoint may name: patterns, or `any` (no check). */
export type PushServiceHosts = readonly string[] | 'any';

const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** Longer than any push service's endpoint: what a stored address may hold. */
const MAX_ENDPOINT_LENGTH = 2048;

/**
 * Reads a subscription from a JSON string (or an object such as `PushSubscription.toJSON()`),
 * checks its shape, keys and endpoint host, and returns it with its canonical address — or the
 * problem, worded for the person who stored it. Never quotes the keys.
 */
export function parseSubscription(
  value: unknown,
  hosts: PushServiceHosts,
): { ok: true; value: ParsedSubscription } | { ok: false; problem: SubscriptionProblem } {
  let raw = value;
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw) as unknown;
    } catch {
      return problem(
        'it is not JSON: store what PushSubscription.toJSON() gives, as an object or a JSON string',
      );
    }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return problem('it is not a push subscription object ({ endpoint, keys: { p256dh, auth } })');
  }
  const { endpoint, keys } = raw as { endpoint?: unknown; keys?: unknown };
  if (typeof endpoint !== 'string' || endpoint.length === 0) return problem('endpoint is missing');
  if (endpoint.length > MAX_ENDPOINT_LENGTH)
    return problem(`endpoint is longer than ${MAX_ENDPOINT_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return problem('endpoint is not a URL');
  }
  if (url.protocol !== 'https:') return problem(`endpoint must be an https: URL (got ${url.protocol})`);
  if (url.username !== '' || url.password !== '') return problem('endpoint must not carry credentials');
  if (!hostAllowed(url.hostname, hosts)) {
    return problem(
      `endpoint host ${url.hostname} is not a known push service (allowed: ${(hosts as readonly string[]).join(', ')}; see the messenger's pushServiceHosts option)`,
    );
  }
  if (typeof keys !== 'object' || keys === null) return problem('keys is missing (keys: { p256dh, auth })');
  const p256dh = base64url((keys as { p256dh?: unknown }).p256dh);
  if (p256dh === undefined || !isP256PublicKey(p256dh)) {
    return problem(
      "keys.p256dh must be the browser's P-256 public key: 65 bytes (uncompressed point), base64url",
    );
  }
  const auth = base64url((keys as { auth?: unknown }).auth);
  if (auth === undefined || Buffer.from(auth, 'base64url').length !== 16) {
    return problem('keys.auth must be the 16-byte authentication secret, base64url');
  }
  // The endpoint as the URL parser writes it (browsers give it so already): the send path reads it back by slicing.
  const parsed = { endpoint: url.href, keys: { p256dh, auth } };
  return {
    ok: true,
    value: { address: JSON.stringify(parsed), endpoint: url.href, origin: url.origin, keys: parsed.keys },
  };
}

/**
 * The send path's reading of a stored address, which scheduling checked in full and wrote in
 * canonical form: only what sending needs, without a URL parser or key decoding (web-push checks
 * the key sizes again). Null when it is not such an address; `parseSubscription` then says why.
 */
export function storedSubscription(
  address: string,
  hosts: PushServiceHosts,
): Omit<ParsedSubscription, 'address'> | null {
  let raw: { endpoint?: unknown; keys?: { p256dh?: unknown; auth?: unknown } } | null;
  try {
    raw = JSON.parse(address) as typeof raw;
  } catch {
    return null;
  }
  const endpoint = raw?.endpoint;
  const p256dh = raw?.keys?.p256dh;
  const auth = raw?.keys?.auth;
  if (typeof endpoint !== 'string' || typeof p256dh !== 'string' || typeof auth !== 'string') return null;
  if (!endpoint.startsWith('https://')) return null;
  const slash = endpoint.indexOf('/', 8);
  const origin = slash === -1 ? endpoint : endpoint.slice(0, slash);
  const authority = origin.slice(8);
  if (authority === '' || authority.includes('@')) return null;
  const host = authority.startsWith('[')
    ? authority.slice(0, authority.indexOf(']') + 1)
    : authority.split(':')[0]!;
  if (!hostAllowed(host, hosts)) return null;
  return { endpoint, origin, keys: { p256dh, auth } };
}

/** Whether a host matches one of the patterns (`*.push.apple.com` matches `web.push.apple.com`). */
export function hostAllowed(host: string, hosts: PushServiceHosts): boolean {
  if (hosts === 'any') return true;
  const name = host.toLowerCase();
  return hosts.some((pattern) => {
    const p = pattern.toLowerCase();
    return p.startsWith('*.') ? name.endsWith(p.slice(1)) : name === p;
  });
}

function problem(text: string): { ok: false; problem: SubscriptionProblem } {
  return { ok: false, problem: text };
}

/** base64url without padding; standard base64 and padding are accepted and normalised. */
function base64url(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const normal = value.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return BASE64URL.test(normal) ? normal : undefined;
}

/** A valid point on P-256 in uncompressed form (ECDH.convertKey refuses a point off the curve). */
function isP256PublicKey(key: string): boolean {
  const bytes = Buffer.from(key, 'base64url');
  if (bytes.length !== 65 || bytes[0] !== 0x04) return false;
  try {
    ECDH.convertKey(bytes, 'prime256v1');
    return true;
  } catch {
    return false;
  }
}
