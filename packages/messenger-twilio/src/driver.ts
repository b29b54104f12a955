import { ConfigurationError, type MessengerDriver } from '@sitemsg/core/plugin';
import type { TwilioMessengerOptions } from './options.js';
import { TwilioMessenger } from './twilio-messenger.js';

/** Options whose values arrive as strings from environment overrides and are numbers. */
const NUMERIC = ['maxSegments', 'timeoutMs', 'concurrency', 'healthCacheMs'];

/**
 * `driver: 'twilio'` in a sitemsg configuration file. Secrets come from the environment through the
 * CLI's overrides (e.g. `SITEMSG_MESSENGERS__SMS__AUTH_TOKEN`), so numeric options accept digit
 * strings; every other check (unknown option, missing accountSid or authToken) is the messenger's
 * own, a ConfigurationError at start-up that never quotes the token.
 */
export const sitemsgDriver: MessengerDriver = {
  kind: 'messenger',
  name: 'twilio',
  create(options, context) {
    for (const key of ['alias', 'primary', 'logger', 'clock']) {
      if (key in options) {
        throw new ConfigurationError(
          `[twilio] option "${key}" cannot be set in a configuration file (the configuration's name and primary flag set alias and primary).`,
        );
      }
    }
    const coerced: Record<string, unknown> = { ...options, alias: context.name, primary: context.primary };
    for (const key of NUMERIC) {
      const value = options[key];
      if (typeof value === 'string' && /^\d+$/.test(value)) coerced[key] = Number(value);
    }
    return new TwilioMessenger(coerced as unknown as TwilioMessengerOptions);
  },
};
