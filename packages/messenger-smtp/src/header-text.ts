/**
 * What may not appear in anything that ends up in a header or an SMTP command: line breaks
 * (header injection), every other C0 and C1 control and DEL (a `\u0001` or an ESC reached
 * `RCPT TO`; nodemailer's address parser silently drops some, turning one mailbox into another),
 * the Unicode line and paragraph separators, and lone surrogates (no valid UTF-8 exists for them).
 * A tab is allowed in header text (folding whitespace), never in an address.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is what this is for.
const UNSAFE = /[\u0000-\u0008\u000A-\u001F\u007F-\u009F\u2028\u2029]|\p{Cs}/u;

/** Whether a string carries a character that must never reach a header or the SMTP envelope. */
export function hasUnsafeHeaderChars(value: string): boolean {
  return UNSAFE.test(value);
}

/** A character as `U+XXXX`, so an error message can name it without printing it. */
export function describeUnsafe(value: string): string {
  const match = UNSAFE.exec(value)?.[0] ?? '';
  return `U+${(match.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}
