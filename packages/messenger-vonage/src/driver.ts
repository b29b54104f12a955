import { ConfigurationError, type MessengerDriver } from '@sitemsg/core/plugin';
import type { VonageMessengerOptions } from './options.js';
import { VonageMessenger } from './vonage-messenger.js';

/** Options whose values arrive as strings from environment overrides and are numbers. */
const NUMERIC = ['maxSegments', 'timeoutMs', 'concurrency', 'healthCacheMs', 'throttleRetryMs'];

/**
 * `driver: 'vonage'` in a sitemsg configuration file. Secrets come from the environment through the
 * CLI's overrides (e.g. `SITEMSG_MESSENGERS__SMS__API_SECRET`), so numeric options accept digit
 * strings; every other check (unknown option, missing apiKey or apiSecret) is the messenger's
 * own, a ConfigurationError at start-up that never quotes the secret.
 */
export const sitemsgDriver: MessengerDriver = {
  kind: 'messenger',
  name: 'vonage',
  create(options, context) {
    for (const key of ['alias', 'primary', 'logger', 'clock']) {
      if (key in options) {
        throw new ConfigurationError(
          `[vonage] option "${key}" cannot be set in a configuration file (the configuration's name and primary flag set alias and primary).`,
        );
      }
    }
    const coerced: Record<string, unknown> = { ...options, alias: context.name, primary: context.primary };
    for (const key of NUMERIC) {
      const value = options[key];
      if (typeof value === 'string' && /^\d+$/.test(value)) coerced[key] = Number(value);
    }
    return new VonageMessenger(coerced as unknown as VonageMessengerOptions);
  },
};
