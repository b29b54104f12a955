import { ConfigurationError, type MessengerDriver } from '@sitemsg/core/plugin';
import type { SendgridMessengerOptions } from './options.js';
import { SendgridMessenger } from './sendgrid-messenger.js';

/**
 * `driver: 'sendgrid'` in a sitemsg configuration file. Values from environment overrides arrive
 * as strings, so `sandboxMode`, `timeoutMs` and `concurrency` accept "true"/"false" and digits; every other check
 * (unknown option, missing apiKey or from) is the messenger's own, a ConfigurationError at start-up.
 */
export const sitemsgDriver: MessengerDriver = {
  kind: 'messenger',
  name: 'sendgrid',
  create(options, context) {
    for (const key of ['alias', 'primary', 'logger', 'clock']) {
      if (key in options) {
        throw new ConfigurationError(
          `[sendgrid] option "${key}" cannot be set in a configuration file (the configuration's name and primary flag set alias and primary).`,
        );
      }
    }
    const coerced: Record<string, unknown> = { ...options, alias: context.name, primary: context.primary };
    if (options.sandboxMode === 'true' || options.sandboxMode === 'false') {
      coerced.sandboxMode = options.sandboxMode === 'true';
    }
    for (const key of ['timeoutMs', 'concurrency']) {
      const value = options[key];
      if (typeof value === 'string' && /^\d+$/.test(value)) coerced[key] = Number(value);
    }
    return new SendgridMessenger(coerced as unknown as SendgridMessengerOptions);
  },
};
