/** An address as SendGrid's API takes it (`from`, `reply_to`, each `to`). */
export interface EmailAddress {
  readonly email: string;
  readonly name?: string;
}

// Deliberately plain: a dotted domain, no spaces, no quoted local parts, which SendGrid would refuse anyway.
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:".]+$/;

// Controls (C0, DEL, C1), line separators and lone surrogates: never part of a deliverable address.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is what this is for.
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]|\p{Cs}/u;

/** Whether a bare address (no display name) looks deliverable: what scheduling checks. */
export function isValidEmail(address: string): boolean {
  return address.length <= 254 && EMAIL.test(address) && !address.includes('..') && !CONTROL.test(address);
}

/** Splits `Name <a@example.com>` (or a bare address); `undefined` when it is not an address. */
export function parseEmailAddress(value: string): EmailAddress | undefined {
  const trimmed = value.trim();
  const match = /^(.*?)\s*<([^<>]+)>$/.exec(trimmed);
  const email = (match ? match[2]! : trimmed).trim();
  if (!isValidEmail(email)) return undefined;
  const name = match?.[1]?.trim().replace(/^"(.*)"$/, '$1');
  return name ? { email, name } : { email };
}

export function isEmailAddress(value: unknown): value is EmailAddress {
  if (typeof value !== 'object' || value === null) return false;
  const { email, name } = value as Record<string, unknown>;
  return typeof email === 'string' && isValidEmail(email) && (name === undefined || typeof name === 'string');
}
