import { createHmac, randomBytes } from 'node:crypto';
import { ConfigurationError } from '@sitemsg/core';

const MIN_LENGTH = 32;

/**
 * The demo's one secret, from `SITEMSG_SECRET`. There is no default: a default in the source is a
 * key everyone has, and with it anyone can sign a session cookie that says "I am user 1". In
 * production a missing or short secret stops the process; in development a random one is made
 * for this process (sessions and e-mailed links then last until the restart), and it says so.
 */
export function resolveSecret(env: NodeJS.ProcessEnv, log: (line: string) => void): string {
  const secret = env.SITEMSG_SECRET;
  if (secret !== undefined && secret !== '') {
    if (secret.length < MIN_LENGTH) {
      throw new ConfigurationError(
        `[sitemsg] [example] SITEMSG_SECRET must be at least ${MIN_LENGTH} characters: generate one with \`openssl rand -hex 32\`.`,
      );
    }
    return secret;
  }
  if (env.NODE_ENV === 'production') {
    throw new ConfigurationError(
      '[sitemsg] [example] SITEMSG_SECRET is not set: it signs sessions, CSRF tokens and e-mailed links. Set it to a random value (`openssl rand -hex 32`) kept out of the repository.',
    );
  }
  log(
    '[sitemsg] [example] SITEMSG_SECRET is not set: using a random secret for this process only (sessions and links in e-mails stop working at restart). Set SITEMSG_SECRET to keep them.',
  );
  return randomBytes(32).toString('hex');
}

/** One key per use, so that a value signed for one purpose (a CSRF token) is never valid for another (a session). */
export function deriveKey(secret: string, purpose: 'session' | 'csrf' | 'views-csrf' | 'links'): string {
  return createHmac('sha256', secret).update(`sitemsg-example:${purpose}`).digest('hex');
}
