import { ConfigurationError, type MessengerDriver } from '@sitemsg/core/plugin';
import { SERVER_KEYS, type SmtpServerOptions } from './options.js';
import { SmtpMessenger } from './smtp-messenger.js';

const NUMBERS = [
  'port',
  'maxConnections',
  'maxMessages',
  'connectionTimeout',
  'greetingTimeout',
  'socketTimeout',
  'healthTimeoutMs',
];
const FLAGS = ['secure', 'requireTLS', 'pool'];

/** Environment overrides arrive as strings: "587" and "true" are read as what they say. */
function coerce(key: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (NUMBERS.includes(key) && /^\d+$/.test(value)) return Number(value);
  if (FLAGS.includes(key) && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

/**
 * `driver: 'smtp'` in a sitemsg configuration file. Options are SmtpMessenger's, minus
 * `transporter` (a configuration file cannot hold one); an unknown option is a ConfigurationError.
 */
export const sitemsgDriver: MessengerDriver = {
  kind: 'messenger',
  name: 'smtp',
  create(options, context) {
    if (typeof options !== 'object' || options === null) {
      throw new ConfigurationError(`[sitemsg] [${context.name}] the smtp driver needs an options object.`);
    }
    for (const key of ['alias', 'primary']) {
      if (key in options) {
        throw new ConfigurationError(
          `[sitemsg] [${context.name}] "${key}" comes from the configuration's messenger name and primary flag, not from options.`,
        );
      }
    }
    const coerced = Object.fromEntries(Object.entries(options).map(([k, v]) => [k, coerce(k, v)]));
    if ('transporter' in coerced) {
      throw new ConfigurationError(
        `[sitemsg] [${context.name}] unknown option "transporter" for the smtp driver: the options are ${SERVER_KEYS.join(', ')}.`,
      );
    }
    return new SmtpMessenger({
      ...(coerced as unknown as SmtpServerOptions),
      alias: context.name,
      primary: context.primary,
    });
  },
};
