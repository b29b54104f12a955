import { ConfigurationError, type StoreDriver } from '@sitemsg/core/plugin';
import { MongoStore } from './mongo-store.js';

const KNOWN = new Set(['url', 'dbName', 'collectionPrefix']);

/** `driver: 'mongo'` in a sitemsg configuration file: `{ url, dbName, collectionPrefix? }`. */
export const sitemsgDriver: StoreDriver = {
  kind: 'store',
  name: 'mongo',
  create(options) {
    const unknown = Object.keys(options).filter((key) => !KNOWN.has(key));
    if (unknown.length > 0) {
      throw new ConfigurationError(
        `[sitemsg] [mongo] unknown option(s) ${unknown.join(', ')}: the mongo store takes url, dbName and collectionPrefix.`,
      );
    }
    const { url, dbName, collectionPrefix } = options;
    if (typeof url !== 'string') throw new ConfigurationError('[sitemsg] [mongo] option url is required.');
    if (collectionPrefix !== undefined && typeof collectionPrefix !== 'string') {
      throw new ConfigurationError('[sitemsg] [mongo] option collectionPrefix must be a string.');
    }
    return new MongoStore(
      { url, dbName: dbName as string },
      collectionPrefix === undefined ? {} : { collectionPrefix },
    );
  },
};
