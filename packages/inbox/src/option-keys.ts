import { ConfigurationError } from '@sitemsg/core/plugin';

/**
 * Which inbox object each option belongs to. Options are easily passed to the wrong one of the
 * four (`maxPageSize` to the messenger, `connectionString` to the service): the error then says
 * where the key goes instead of only that it is unknown here.
 */
const HOMES: Readonly<Record<string, string>> = {
  store: 'new InboxService({ store })',
  sitemsg: 'new InboxService({ sitemsg })',
  clock: 'new InboxService({ clock })',
  maxPageSize: 'new InboxService({ maxPageSize })',
  retentionDays: 'new InboxService({ retentionDays })',
  healthTimeoutMs: 'new InboxService({ healthTimeoutMs })',
  logger: 'new InboxService({ logger })',
  inbox: 'new InboxMessenger({ inbox })',
  ownsInbox: 'new InboxMessenger({ ownsInbox })',
  alias: 'new InboxMessenger({ alias })',
  title: 'new InboxMessenger({ title })',
  primary: 'new InboxMessenger({ primary })',
  pool: 'new PostgresInboxStore({ pool })',
  connectionString: 'new PostgresInboxStore({ connectionString })',
  schema: 'new PostgresInboxStore({ schema })',
  tablePrefix: 'new PostgresInboxStore({ tablePrefix })',
  migrate: 'new PostgresInboxStore({ migrate })',
  client: "new MongoInboxStore({ client, dbName }), the first argument (from '@sitemsg/inbox/mongo')",
  url: "new MongoInboxStore({ url, dbName }), the first argument (from '@sitemsg/inbox/mongo')",
  dbName: "new MongoInboxStore({ url, dbName }), the first argument (from '@sitemsg/inbox/mongo')",
  collectionPrefix:
    "new MongoInboxStore(connection, { collectionPrefix }), the second argument (from '@sitemsg/inbox/mongo')",
};

/** A ConfigurationError for the first key `owner` does not take, naming where it belongs when that is known. */
export function checkOptionKeys(owner: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const home = HOMES[key];
    throw new ConfigurationError(
      `[sitemsg] [inbox] unknown ${owner} option "${key}"${home ? ` (it belongs to ${home})` : ''}; ${owner} takes ${known.length > 0 ? known.join(', ') : 'no options'}.`,
    );
  }
}
