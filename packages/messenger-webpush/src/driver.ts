import { ConfigurationError, type MessengerDriver } from '@sitemsg/core/plugin';
import type { WebPushMessengerOptions } from './options.js';
import { WebPushMessenger } from './webpush-messenger.js';

/** Options whose values arrive as strings from environment overrides and are numbers. */
const NUMERIC = ['ttlSeconds', 'timeoutMs', 'concurrency', 'healthCacheMs'];

/**
 * `driver: 'webpush'` in a sitemsg configuration file. The VAPID keys come from the environment
 * through the CLI's overrides (e.g. `SITEMSG__PUSH__VAPID_PRIVATE_KEY` for a messenger named `push`),
 * so numeric options accept digit strings and `pushServiceHosts` a comma-separated list; every
 * other check (unknown option, missing or mismatched keys) is the messenger's own, a
 * ConfigurationError at start-up that never quotes the private key.
 */
export const sitemsgDriver: MessengerDriver = {
  kind: 'messenger',
  name: 'webpush',
  create(options, context) {
    for (const key of ['alias', 'primary', 'logger', 'clock', 'agent']) {
      if (key in options) {
        throw new ConfigurationError(
          `[webpush] option "${key}" cannot be set in a configuration file (the configuration's name and primary flag set alias and primary; construct WebPushMessenger in code for an agent, a logger or a clock).`,
        );
      }
    }
    const coerced: Record<string, unknown> = { ...options, alias: context.name, primary: context.primary };
    for (const key of NUMERIC) {
      const value = options[key];
      if (typeof value === 'string' && /^\d+$/.test(value)) coerced[key] = Number(value);
    }
    const hosts = options.pushServiceHosts;
    if (typeof hosts === 'string' && hosts !== 'any') {
      coerced.pushServiceHosts = hosts
        .split(',')
        .map((h) => h.trim())
        .filter((h) => h !== '');
    }
    return new WebPushMessenger(coerced as unknown as WebPushMessengerOptions);
  },
};
