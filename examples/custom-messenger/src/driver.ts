import { ConfigurationError, type MessengerDriver } from '@sitemsg/core/plugin';
import { WebhookMessenger } from './webhook-messenger.js';

const KNOWN = ['baseUrl', 'secret', 'timeoutMs', 'title'];

/**
 * How a configuration file reaches this package by name (`driver: 'webhook'`): the CLI imports
 * the package and calls `create` with the options of that entry. A typo fails at start-up.
 */
export const sitemsgDriver: MessengerDriver = {
  kind: 'messenger',
  name: 'webhook',
  create(options, context) {
    const unknown = Object.keys(options).filter((key) => !KNOWN.includes(key));
    if (unknown.length > 0) {
      throw new ConfigurationError(
        `[${context.name}] unknown option(s) ${unknown.join(', ')}; the webhook driver takes ${KNOWN.join(', ')}.`,
      );
    }
    const { baseUrl, secret, timeoutMs, title } = options;
    if (typeof baseUrl !== 'string' || typeof secret !== 'string') {
      throw new ConfigurationError(`[${context.name}] baseUrl and secret are required strings.`);
    }
    if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || !(timeoutMs > 0))) {
      throw new ConfigurationError(`[${context.name}] timeoutMs must be a positive number of milliseconds.`);
    }
    if (title !== undefined && typeof title !== 'string') {
      throw new ConfigurationError(`[${context.name}] title must be a string.`);
    }
    return new WebhookMessenger({
      baseUrl,
      secret,
      alias: context.name,
      primary: context.primary,
      ...(timeoutMs !== undefined && { timeoutMs }),
      ...(title !== undefined && { title }),
    });
  },
};
