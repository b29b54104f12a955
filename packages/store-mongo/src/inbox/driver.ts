import { ConfigurationError, type DriverContext, type MessengerDriver } from '@sitemsg/core/plugin';
import { inboxDriver } from '@sitemsg/inbox';
import { MongoInboxStore } from './mongo-inbox-store.js';

/**
 * `driver: 'inbox', package: '@sitemsg/store-mongo/inbox'` in a sitemsg configuration file: the
 * inbox messenger on MongoDB. Options: `url` and `dbName` (required), `collectionPrefix`, and the
 * inbox's own (`maxPageSize`, `retentionDays`, `title`).
 */
export const sitemsgDriver: MessengerDriver = inboxDriver({
  options: ['url', 'dbName', 'collectionPrefix'],
  create(options, context) {
    const { url, dbName, collectionPrefix } = options;
    return new MongoInboxStore(
      { url: text(url, 'url', context, true), dbName: text(dbName, 'dbName', context, true) },
      collectionPrefix === undefined
        ? {}
        : { collectionPrefix: text(collectionPrefix, 'collectionPrefix', context) },
    );
  },
});

function text(value: unknown, what: string, context: DriverContext, required = false): string {
  if (typeof value === 'string') return value;
  throw new ConfigurationError(
    `[sitemsg] [${context.name}] ${what} ${required && value === undefined ? 'is required' : 'must be a string'} for the inbox on MongoDB.`,
  );
}
