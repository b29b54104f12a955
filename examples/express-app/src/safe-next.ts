/**
 * Where to send a user after sign-in: a path on this site, never another one. `next` comes from
 * the URL, so anyone can write it: `//evil.example`, `/\evil.example` (browsers read both as
 * another host), `https://evil.example`, a control character that the URL parser drops
 * (`/\t/evil.example`) or dot segments that normalise into `//` would make the sign-in page an
 * open redirect to a phishing copy.
 */
export function safeNext(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//')) return '/';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for.
  if (/[\\\u0000-\u001f\u007f]/.test(value)) return '/';
  const base = new URL('http://this-site.invalid');
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    return '/';
  }
  // Dot segments can normalise into `//host` (`/.//evil.example`): check what will be sent.
  if (url.origin !== base.origin || url.pathname.startsWith('//')) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}
