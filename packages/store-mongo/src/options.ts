import { ConfigurationError } from '@sitemsg/core/plugin';
import type { MongoClient } from 'mongodb';

/** Where the store's data lives: the application's client, or a URL the store connects to itself. */
export type MongoStoreConnection =
  | { readonly client: MongoClient; readonly dbName: string }
  | { readonly url: string; readonly dbName: string };

export interface MongoStoreOptions {
  /** Prepended to every collection name (`<prefix>messages`, `<prefix>dispatches`, ...). Default `sitemsg_`. */
  readonly collectionPrefix?: string;
}

export const DEFAULT_PREFIX = 'sitemsg_';

/** Letters, digits, `_`, `-` and `.`, not starting with `system.`: safe in every collection name. */
export function checkPrefix(prefix: string): string {
  if (!/^[A-Za-z0-9_.-]{0,64}$/.test(prefix) || prefix.startsWith('system.')) {
    throw new ConfigurationError(
      `[sitemsg] [mongo] collectionPrefix "${prefix}" is not usable in a collection name: use letters, digits, "_", "-" or "." (at most 64), not starting with "system.".`,
    );
  }
  return prefix;
}

export function checkDbName(dbName: unknown): string {
  if (typeof dbName !== 'string' || !/^[^/\\. "$*<>:|?\0]{1,63}$/.test(dbName)) {
    throw new ConfigurationError(
      `[sitemsg] [mongo] dbName must be a MongoDB database name (1 to 63 characters, none of /\\. "$*<>:|?).`,
    );
  }
  return dbName;
}

/** The keys of the first argument (the connection) and of the second (the store options). */
const CONNECTION_KEYS = new Set<string>(['client', 'url', 'dbName']);
const OPTION_KEYS = new Set<string>(['collectionPrefix']);

/** Checks the first argument of `className` (`MongoStore`, `MongoInboxStore`) before any connection. */
export function checkConnection(connection: MongoStoreConnection, className: string = 'MongoStore'): void {
  if (typeof connection !== 'object' || connection === null) {
    throw new ConfigurationError('[sitemsg] [mongo] pass { client, dbName } or { url, dbName }.');
  }
  for (const key of Object.keys(connection)) {
    if (CONNECTION_KEYS.has(key)) continue;
    if (OPTION_KEYS.has(key)) {
      throw new ConfigurationError(
        `[sitemsg] [mongo] "${key}" belongs in the second argument (store options), not the connection: new ${className}({ url, dbName }, { ${key} }).`,
      );
    }
    throw new ConfigurationError(
      `[sitemsg] [mongo] Unknown key "${key}" in the connection (first argument): pass { client, dbName } or { url, dbName }; MongoDB driver options go in the URL's query string or on your own MongoClient.`,
    );
  }
  if ('client' in connection && 'url' in connection) {
    throw new ConfigurationError(
      '[sitemsg] [mongo] pass either client or url in the connection, not both: the store would use one and ignore the other.',
    );
  }
  checkDbName(connection.dbName);
  if ('client' in connection) {
    if (typeof connection.client?.db !== 'function') {
      throw new ConfigurationError(
        '[sitemsg] [mongo] client must be a MongoClient from the mongodb package.',
      );
    }
  } else if (typeof connection.url !== 'string' || !/^mongodb(\+srv)?:\/\//.test(connection.url)) {
    throw new ConfigurationError(
      '[sitemsg] [mongo] url must be a MongoDB connection string (mongodb:// or mongodb+srv://).',
    );
  }
}

/** Refuses keys of the second argument that are not store options, saying where they belong. */
export function checkOptions(options: MongoStoreOptions, className: string = 'MongoStore'): void {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError(
      '[sitemsg] [mongo] The second argument (store options) must be an object, e.g. { collectionPrefix: "app_" }.',
    );
  }
  for (const key of Object.keys(options)) {
    if (OPTION_KEYS.has(key)) continue;
    if (CONNECTION_KEYS.has(key)) {
      throw new ConfigurationError(
        `[sitemsg] [mongo] "${key}" belongs in the first argument (the connection), not the store options: new ${className}({ ${key}, ... }, { collectionPrefix }).`,
      );
    }
    throw new ConfigurationError(
      `[sitemsg] [mongo] Unknown option "${key}": the store options are ${[...OPTION_KEYS].join(', ')}.`,
    );
  }
}
