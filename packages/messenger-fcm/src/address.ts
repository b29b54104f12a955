/**
 * FCM registration tokens: the address of one app instance (a phone, a browser). FCM documents no
 * format, only "do not truncate the token or add characters"; tokens seen in the wild are 140-250
 * characters of letters, digits, `_`, `-` and `:`. A user's tokens live in one user field, as a
 * string or an array; each token is a dispatch of its own.
 */

/** Letters, digits, `_`, `-`, `:` and `.`; 32 to 4,096 characters (no whitespace, no truncation marks). */
const TOKEN = /^[A-Za-z0-9_:.-]{32,4096}$/;

/** Whether a string can be an FCM registration token. */
export function isRegistrationToken(value: unknown): boolean {
  return typeof value === 'string' && TOKEN.test(value);
}

/**
 * The tokens a user field holds: a token, or an array of them; blanks are dropped, duplicates kept
 * once, and anything else is returned as it is so that scheduling refuses it with a ValidationError.
 */
export function tokensFromField(value: unknown): string[] {
  const list = Array.isArray(value)
    ? (value as unknown[])
    : value === undefined || value === null
      ? []
      : [value];
  const tokens: string[] = [];
  for (const item of list) {
    const token = typeof item === 'string' ? item.trim() : item;
    if (token === '') continue;
    tokens.push(token as string);
  }
  return [...new Set(tokens)];
}
