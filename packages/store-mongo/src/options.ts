import { ConfigurationError } from '@sitemsg/core';
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

export function checkConnection(connection: MongoStoreConnection): void {
  if (typeof connection !== 'object' || connection === null) {
    throw new ConfigurationError('[sitemsg] [mongo] pass { client, dbName } or { url, dbName }.');
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
