// What every store can hold. PostgreSQL's text and jsonb refuse NUL and lone surrogates, and a
// b-tree index entry is capped at ~2.7 kB; the memory store would take anything. Checking (and, for
// provider text, repairing) values here, once, makes every store behave alike and keeps a store
// from refusing a write after a message went out.
import { ValidationError } from './errors.js';

/** Longest error text or provider string kept on a dispatch; the head is kept, the cut is said. */
export const MAX_STORED_TEXT = 2000;
/** Longest address, user id, sender id or idempotency key, in UTF-8 bytes (fits any index entry). */
export const MAX_KEY_BYTES = 1024;

// A UTF-16 half without its pair: PostgreSQL refuses it in text and jsonb.
const LONE_SURROGATE = '[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]';
/** Control characters other than tab and newline, C1 controls, and lone surrogates: replaced in provider text. */
const UNSTORABLE = new RegExp(`[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]|${LONE_SURROGATE}`, 'g');
/** NUL and lone surrogates: what no store can hold anywhere, even in free text. */
const NOT_TEXT = new RegExp(`\\u0000|${LONE_SURROGATE}`);
/** In identifiers (addresses, ids, keys) every control character is refused. */
const NOT_KEY = new RegExp(`[\\u0000-\\u001f\\u007f-\\u009f]|${LONE_SURROGATE}`);

/**
 * Provider-supplied text (an SMTP reply, an API error body) made storable: control characters
 * other than tab and newline and lone surrogates become U+FFFD, and a text longer than
 * `MAX_STORED_TEXT` keeps its head and says how much was cut.
 */
export function storableText(text: string, max: number = MAX_STORED_TEXT): string {
  UNSTORABLE.lastIndex = 0;
  const clean = UNSTORABLE.test(text) ? text.replace(UNSTORABLE, '\ufffd') : text;
  if (clean.length <= max) return clean;
  let head = clean.slice(0, max);
  // Never end on the first half of a surrogate pair.
  if (/[\ud800-\udbff]$/.test(head)) head = head.slice(0, -1);
  return `${head}… [${clean.length - head.length} more characters cut]`;
}

/** Whether a free-text string (a context value) can be stored by every store. */
export function isStorableText(text: string): boolean {
  return !NOT_TEXT.test(text);
}

/**
 * Checks an identifier-like value before it is scheduled: a non-empty string without control
 * characters or lone surrogates, at most `MAX_KEY_BYTES` bytes. Throws a ValidationError naming it.
 */
export function assertStorableKey(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ValidationError(`${what} must be a non-empty string (got ${describeValue(value)}).`);
  }
  if (NOT_KEY.test(value)) {
    throw new ValidationError(
      `${what} contains a control character or a broken UTF-16 pair: ${JSON.stringify(value.slice(0, 80))}.`,
    );
  }
  if (Buffer.byteLength(value) > MAX_KEY_BYTES) {
    throw new ValidationError(`${what} is longer than ${MAX_KEY_BYTES} bytes.`);
  }
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return 'an empty string';
  if (value === null) return 'null';
  return `a ${typeof value}`;
}
