import { domainToASCII } from 'node:url';
import addressparser from 'nodemailer/lib/addressparser';
import { hasUnsafeHeaderChars } from './header-text.js';

/** A display name and an e-mail address, as `from` and `replyTo` accept them. */
export interface Mailbox {
  readonly name?: string;
  readonly address: string;
}

const ATOM = /^[^\s@<>()[\]\\,;:"]+$/;

/**
 * A pragmatic check, not RFC 5322's full grammar: one `@`, no spaces, controls or address-list
 * punctuation, a dotted domain. It exists to refuse typos (and anything that would reach
 * `RCPT TO` as it should not) at scheduling time.
 */
export function isEmailAddress(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 254 || hasUnsafeHeaderChars(value)) return false;
  const at = value.lastIndexOf('@');
  if (at < 1 || at > 64) return false;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (!ATOM.test(local) || !ATOM.test(domain)) return false;
  const labels = domain.split('.');
  return labels.length >= 2 && labels.every((label) => label.length > 0 && label.length <= 63);
}

/** Parses `"Name" <a@b.c>`, `a@b.c` or `{ name, address }`; null when it is not one valid mailbox. */
export function parseMailbox(input: unknown): Mailbox | null {
  if (typeof input === 'object' && input !== null) {
    const { name, address } = input as Record<string, unknown>;
    if (!isEmailAddress(address) || (name !== undefined && typeof name !== 'string')) return null;
    if (name !== undefined && hasUnsafeHeaderChars(name)) return null;
    return name ? { name, address } : { address };
  }
  if (typeof input !== 'string' || hasUnsafeHeaderChars(input)) return null;
  const parsed = addressparser(input, { flatten: true });
  const [first] = parsed;
  if (parsed.length !== 1 || !first || !isEmailAddress(first.address)) return null;
  return first.name ? { name: first.name, address: first.address } : { address: first.address };
}

/** The domain of an address in ASCII (punycode), for Message-ID right-hand sides. */
export function domainOf(address: string): string {
  return domainToASCII(address.slice(address.lastIndexOf('@') + 1)) || 'sitemsg.invalid';
}

/**
 * `<dispatch-{id}@{domain}>`: the same for every attempt of one dispatch, so a retry after a
 * lost reply is recognisable as a duplicate by the receiving side. Characters other than
 * letters, digits, `_` and `-` are written as `=XXXX` (the UTF-16 code unit in hex), so distinct ids stay distinct.
 */
export function messageIdFor(dispatchId: string, domain: string): string {
  const safe = dispatchId.replace(
    /[^A-Za-z0-9_-]/g,
    (c) => `=${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`,
  );
  return `<dispatch-${safe}@${domain}>`;
}

/** A mailbox as a header value nodemailer will encode: `"Name" <address>` or the bare address. */
export function formatMailbox(mailbox: Mailbox): string {
  if (!mailbox.name) return mailbox.address;
  return `"${mailbox.name.replace(/["\\]/g, '\\$&')}" <${mailbox.address}>`;
}
