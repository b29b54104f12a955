/**
 * APNs device tokens: the hex string an app gets from
 * `application(_:didRegisterForRemoteNotificationsWithDeviceToken:)`. Apple says not to assume a
 * fixed length (today 32 bytes, 64 hex digits), so any even number of hex digits from 64 to 200 is
 * taken. Tokens are stored lowercase without separators, so that a suppression and a user's field
 * always name a token the same way.
 */

/** Shortest and longest token accepted, in hex digits (32 to 100 bytes). */
const MIN_HEX = 64;
const MAX_HEX = 200;

/** A token as stored on a dispatch: lowercase hex, even length. */
const STORED = /^(?:[0-9a-f]{2}){32,100}$/;

/**
 * A device token normalised (lowercase hex without spaces or the `<...>` of an old `NSData`
 * description), or `undefined` when it is not one.
 */
export function parseDeviceToken(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || raw.length > MAX_HEX * 2) return undefined;
  if (STORED.test(raw)) return raw;
  const trimmed = raw.trim();
  const inner = trimmed.startsWith('<') && trimmed.endsWith('>') ? trimmed.slice(1, -1) : trimmed;
  const hex = inner.replace(/ /g, '').toLowerCase();
  if (hex.length < MIN_HEX || hex.length > MAX_HEX || hex.length % 2 !== 0) return undefined;
  return /^[0-9a-f]+$/.test(hex) ? hex : undefined;
}
