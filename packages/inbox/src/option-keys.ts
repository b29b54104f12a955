import { ConfigurationError } from '@sitemsg/core/plugin';

/**
 * Which inbox object each option belongs to, the database stores included (they live in
 * `@sitemsg/store-postgres/inbox` and `@sitemsg/store-mongo/inbox`). Options are easily passed to
 * the wrong one (`maxPageSize` to the messenger, `connectionString` to the service): the error
 * then says where the key goes instead of only that it is unknown here.
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
  pool: "new PostgresInboxStore({ pool }), the first argument (from '@sitemsg/store-postgres/inbox')",
  connectionString:
    "new PostgresInboxStore({ connectionString }), the first argument (from '@sitemsg/store-postgres/inbox')",
  schema: "new PostgresInboxStore(connection, { schema }) (from '@sitemsg/store-postgres/inbox')",
  tablePrefix: "new PostgresInboxStore(connection, { tablePrefix }) (from '@sitemsg/store-postgres/inbox')",
  migrate: "new PostgresInboxStore(connection, { migrate }) (from '@sitemsg/store-postgres/inbox')",
  client: "new MongoInboxStore({ client, dbName }), the first argument (from '@sitemsg/store-mongo/inbox')",
  url: "new MongoInboxStore({ url, dbName }), the first argument (from '@sitemsg/store-mongo/inbox')",
  dbName: "new MongoInboxStore({ url, dbName }), the first argument (from '@sitemsg/store-mongo/inbox')",
  collectionPrefix:
    "new MongoInboxStore(connection, { collectionPrefix }), the second argument (from '@sitemsg/store-mongo/inbox')",
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
