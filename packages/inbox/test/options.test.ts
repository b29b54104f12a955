import { ConfigurationError } from '@sitemsg/core/plugin';
import { describe, expect, it } from 'vitest';
import {
  InboxMessenger,
  type InboxMessengerOptions,
  InboxService,
  type InboxServiceOptions,
  MemoryInboxStore,
  PostgresInboxStore,
  type PostgresInboxStoreOptions,
  sitemsgDriver,
} from '../src/index.js';
import { MongoInboxStore, type MongoInboxStoreConnection } from '../src/mongo/index.js';

const URL = 'mongodb://127.0.0.1:1/';

describe('an unknown or misplaced option is a ConfigurationError naming the key and where it belongs', () => {
  it.each<[string, () => unknown, RegExp]>([
    [
      'maxPageSize given to the messenger',
      () => new InboxMessenger({ maxPageSize: 5 } as InboxMessengerOptions),
      /unknown InboxMessenger option "maxPageSize" \(it belongs to new InboxService\(\{ maxPageSize \}\)\); InboxMessenger takes inbox, ownsInbox, alias, title, primary/,
    ],
    [
      'a typo on the messenger',
      () => new InboxMessenger({ titel: 'Bell' } as InboxMessengerOptions),
      /unknown InboxMessenger option "titel"; InboxMessenger takes/,
    ],
    [
      'connectionString given to the service',
      () => new InboxService({ connectionString: 'postgres://x' } as InboxServiceOptions),
      /unknown InboxService option "connectionString" \(it belongs to new PostgresInboxStore\(\{ connectionString \}\)\)/,
    ],
    [
      'alias given to the service',
      () => new InboxService({ alias: 'bell' } as InboxServiceOptions),
      /unknown InboxService option "alias" \(it belongs to new InboxMessenger\(\{ alias \}\)\)/,
    ],
    [
      'retentionDays given to the memory store',
      () => new MemoryInboxStore({ retentionDays: 30 } as never),
      /unknown MemoryInboxStore option "retentionDays" \(it belongs to new InboxService\(\{ retentionDays \}\)\); MemoryInboxStore takes no options/,
    ],
    [
      'maxPageSize given to the PostgreSQL store',
      () =>
        new PostgresInboxStore({
          connectionString: 'postgres://x',
          maxPageSize: 5,
        } as PostgresInboxStoreOptions),
      /unknown PostgresInboxStore option "maxPageSize" \(it belongs to new InboxService/,
    ],
    [
      'collectionPrefix in the Mongo connection',
      () =>
        new MongoInboxStore({ url: URL, dbName: 'app', collectionPrefix: 'x_' } as MongoInboxStoreConnection),
      /unknown MongoInboxStore connection option "collectionPrefix" \(it belongs to new MongoInboxStore\(connection, \{ collectionPrefix \}\), the second argument/,
    ],
    [
      'dbName in the Mongo options',
      () => new MongoInboxStore({ url: URL, dbName: 'app' }, { dbName: 'other' } as never),
      /unknown MongoInboxStore option "dbName" \(it belongs to new MongoInboxStore\(\{ url, dbName \}\), the first argument/,
    ],
    [
      'pool in a configuration file',
      () => sitemsgDriver.create({ pool: {} }, { name: 'inbox', primary: false }),
      /unknown inbox option "pool"/,
    ],
  ])('%s', (_, create, message) => {
    expect(create).toThrow(ConfigurationError);
    expect(create).toThrow(message);
  });

  it('accepts what each one takes', () => {
    const store = new MemoryInboxStore();
    const inbox = new InboxService({ store, maxPageSize: 50 });
    expect(new InboxMessenger({ inbox, title: 'Bell', alias: 'bell' }).alias).toBe('bell');
    expect(new MongoInboxStore({ url: URL, dbName: 'app' }, { collectionPrefix: 'x_' }).collectionName).toBe(
      'x_inbox_messages',
    );
  });
});
