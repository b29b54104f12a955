import { ConfigurationError } from '@sitemsg/core/plugin';
import { describe, expect, it } from 'vitest';
import {
  InboxMessenger,
  type InboxMessengerOptions,
  InboxService,
  type InboxServiceOptions,
  MemoryInboxStore,
  sitemsgDriver,
} from '../src/index.js';

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
      /unknown InboxService option "connectionString" \(it belongs to new PostgresInboxStore\(\{ connectionString \}\), the first argument \(from '@sitemsg\/store-postgres\/inbox'\)\)/,
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
      'collectionPrefix given to the service',
      () => new InboxService({ collectionPrefix: 'x_' } as InboxServiceOptions),
      /unknown InboxService option "collectionPrefix" \(it belongs to new MongoInboxStore\(connection, \{ collectionPrefix \}\), the second argument \(from '@sitemsg\/store-mongo\/inbox'\)\)/,
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
  });
});
