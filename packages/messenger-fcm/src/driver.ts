import { ConfigurationError, type MessengerDriver } from '@sitemsg/core/plugin';
import { FcmMessenger } from './fcm-messenger.js';
import type { FcmMessengerOptions } from './options.js';

/** Options whose values arrive as strings from environment overrides and are numbers. */
const NUMERIC = ['timeoutMs', 'concurrency', 'healthCacheMs'];

/**
 * `driver: 'fcm'` in a sitemsg configuration file. The service account comes from a file path
 * (`serviceAccountFile`, or `GOOGLE_APPLICATION_CREDENTIALS`) or from the environment through the
 * CLI's overrides (`SITEMSG__PUSH__SERVICE_ACCOUNT_JSON` holding the key file's content, which the CLI parses as JSON),
 * so numeric options accept digit strings; every other check (unknown option, a key file that is
 * missing or not a service account) is the messenger's own, a ConfigurationError at start-up that
 * never quotes the key.
 */
export const sitemsgDriver: MessengerDriver = {
  kind: 'messenger',
  name: 'fcm',
  create(options, context) {
    for (const key of ['alias', 'primary', 'logger', 'clock', 'httpAgent']) {
      if (key in options) {
        throw new ConfigurationError(
          `[fcm] option "${key}" cannot be set in a configuration file (the configuration's name and primary flag set alias and primary; an agent or clock is code).`,
        );
      }
    }
    const coerced: Record<string, unknown> = { ...options, alias: context.name, primary: context.primary };
    for (const key of NUMERIC) {
      const value = options[key];
      if (typeof value === 'string' && /^\d+$/.test(value)) coerced[key] = Number(value);
    }
    return new FcmMessenger(coerced as unknown as FcmMessengerOptions);
  },
};
