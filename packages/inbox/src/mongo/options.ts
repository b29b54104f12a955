import { ConfigurationError } from '@sitemsg/core/plugin';
import type { MongoClient } from 'mongodb';
import { checkOptionKeys } from '../option-keys.js';

/** Where the inbox lives: the application's client (never closed by the store), or a URL the store connects to. */
export type MongoInboxStoreConnection =
  | { readonly client: MongoClient; readonly dbName: string }
  | { readonly url: string; readonly dbName: string };

export interface MongoInboxStoreOptions {
  /** Prepended to the collection name (`<prefix>inbox_messages`). Default `sitemsg_`. */
  readonly collectionPrefix?: string;
}

const fail = (what: string): never => {
  throw new ConfigurationError(`[sitemsg] [inbox] ${what}`);
};

/** Validates everything before any connection; returns the collection name. */
export function checkMongoOptions(
  connection: MongoInboxStoreConnection,
  options: MongoInboxStoreOptions,
): string {
  if (typeof connection !== 'object' || connection === null)
    fail('MongoInboxStore needs { client, dbName } or { url, dbName }.');
  checkOptionKeys('MongoInboxStore', options ?? {}, ['collectionPrefix']);
  checkOptionKeys('MongoInboxStore connection', connection, ['client', 'url', 'dbName']);
  if ('client' in connection === 'url' in connection)
    fail('MongoInboxStore needs either client or url, not both.');
  if ('client' in connection && typeof connection.client?.db !== 'function') {
    fail('client must be a MongoClient from the mongodb package.');
  }
  if (
    'url' in connection &&
    (typeof connection.url !== 'string' || !/^mongodb(\+srv)?:\/\//.test(connection.url))
  ) {
    fail('url must be a MongoDB connection string (mongodb:// or mongodb+srv://).');
  }
  if (typeof connection.dbName !== 'string' || !/^[^/\\. "$*<>:|?\0]{1,63}$/.test(connection.dbName)) {
    fail('dbName must be a MongoDB database name (1 to 63 characters, none of /\\. "$*<>:|?).');
  }
  const prefix = options.collectionPrefix ?? 'sitemsg_';
  // What every collection name accepts: no `$`, no NUL, not in the server's `system.` namespace.
  if (typeof prefix !== 'string' || !/^(?!system\.)[\w.-]{0,64}$/.test(prefix)) {
    fail(
      `collectionPrefix ${JSON.stringify(prefix)} is not usable in a collection name: use letters, digits, "_", "-" or "." (at most 64), not starting with "system.".`,
    );
  }
  return `${prefix}inbox_messages`;
}
