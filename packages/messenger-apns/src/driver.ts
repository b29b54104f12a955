import { ConfigurationError, type MessengerDriver } from '@sitemsg/core/plugin';
import { ApnsMessenger } from './apns-messenger.js';
import type { ApnsMessengerOptions } from './options.js';

/** Options whose values arrive as strings from environment overrides and are numbers. */
const NUMERIC = ['priority', 'ttlSeconds', 'port', 'timeoutMs', 'concurrency', 'healthCacheMs'];
/** Options that are text even when an override's value reads as a number (a Key ID of ten digits). */
const TEXT = ['keyId', 'teamId'];

/**
 * `driver: 'apns'` in a sitemsg configuration file. The key comes from the environment through the
 * CLI's overrides (`SITEMSG__PUSH__KEY` with the .p8 contents, or `SITEMSG__PUSH__KEY_FILE`), so
 * numeric options accept digit strings and ids that look like numbers stay text; every other check
 * (unknown option, missing key, keyId, teamId, topic or environment) is the messenger's own, a
 * ConfigurationError at start-up that never quotes the key.
 */
export const sitemsgDriver: MessengerDriver = {
  kind: 'messenger',
  name: 'apns',
  create(options, context) {
    for (const key of ['alias', 'primary', 'logger', 'clock']) {
      if (key in options) {
        throw new ConfigurationError(
          `[apns] option "${key}" cannot be set in a configuration file (the configuration's name and primary flag set alias and primary).`,
        );
      }
    }
    const coerced: Record<string, unknown> = { ...options, alias: context.name, primary: context.primary };
    for (const key of NUMERIC) {
      const value = options[key];
      if (typeof value === 'string' && /^\d+$/.test(value)) coerced[key] = Number(value);
    }
    for (const key of TEXT) {
      const value = options[key];
      if (typeof value === 'number' && Number.isInteger(value))
        coerced[key] = String(value).padStart(10, '0');
    }
    return new ApnsMessenger(coerced as unknown as ApnsMessengerOptions);
  },
};
