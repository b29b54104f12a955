import { ConfigurationError, type DriverContext, type MessengerDriver } from '@sitemsg/core/plugin';
import { InboxMessenger } from './inbox-messenger.js';
import { InboxService } from './service.js';
import type { InboxStore } from './types.js';

/** The options of the inbox itself, whatever store it runs on. */
const INBOX_OPTIONS = ['maxPageSize', 'retentionDays', 'title'] as const;

/**
 * What a store package adds to the inbox driver (`inboxDriver(...)`): the options its store takes
 * in a configuration file and how it builds the store from them.
 */
export interface InboxStoreFactory {
  /** The configuration keys of the store (`connectionString`, `schema`, ...). */
  readonly options: readonly string[];
  /** Builds the store from those keys (only those are passed); throws a ConfigurationError for a bad value. */
  create(options: Record<string, unknown>, context: DriverContext): InboxStore;
}

/** Where a database's options go: the store packages' own inbox drivers. */
const ON_A_DATABASE =
  " For an inbox in a database, add package: '@sitemsg/store-postgres/inbox' (connectionString, schema, tablePrefix) or '@sitemsg/store-mongo/inbox' (url, dbName, collectionPrefix).";

/**
 * `driver: 'inbox'` in a sitemsg configuration file: an `InboxMessenger` over an `InboxService`
 * it owns, on the memory store, or on the store `store` builds. `@sitemsg/store-postgres/inbox`
 * and `@sitemsg/store-mongo/inbox` export theirs as `sitemsgDriver`. Options: `maxPageSize`,
 * `retentionDays`, `title`, and the store's own.
 */
export function inboxDriver(store?: InboxStoreFactory): MessengerDriver {
  const known = new Set<string>([...INBOX_OPTIONS, ...(store?.options ?? [])]);
  return {
    kind: 'messenger',
    name: 'inbox',
    create(options, context) {
      for (const key of Object.keys(options)) {
        if (known.has(key)) continue;
        throw new ConfigurationError(
          `[sitemsg] [${context.name}] unknown inbox option "${key}" (known: ${[...known].join(', ')}).${store ? '' : ON_A_DATABASE}`,
        );
      }
      const { maxPageSize, retentionDays, title } = options;
      const storeOptions = Object.fromEntries(
        Object.entries(options).filter(([key]) => store?.options.includes(key)),
      );
      const inbox = new InboxService({
        ...(store && { store: store.create(storeOptions, context) }),
        ...(maxPageSize !== undefined && { maxPageSize: num(maxPageSize, 'maxPageSize', context.name) }),
        ...(retentionDays !== undefined && {
          retentionDays: num(retentionDays, 'retentionDays', context.name),
        }),
      });
      return new InboxMessenger({
        alias: context.name,
        primary: context.primary,
        ...(title !== undefined && { title: text(title, 'title', context.name) }),
        inbox,
        ownsInbox: true,
      });
    },
  };
}

/** `driver: 'inbox'` on the memory store (see `inboxDriver`). */
export const sitemsgDriver: MessengerDriver = inboxDriver();

function text(value: unknown, what: string, name: string): string {
  if (typeof value !== 'string')
    throw new ConfigurationError(`[sitemsg] [${name}] ${what} must be a string.`);
  return value;
}

function num(value: unknown, what: string, name: string): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || Number.isNaN(n))
    throw new ConfigurationError(`[sitemsg] [${name}] ${what} must be a number.`);
  return n;
}
