// `@sitemsg/store-postgres/inbox`: the inbox of `@sitemsg/inbox` on PostgreSQL. Its own entry, so
// that an application without the inbox never loads (or installs) `@sitemsg/inbox`.
export { sitemsgDriver } from './driver.js';
export { INBOX_SCHEMA_VERSION, inboxMigrationSql } from './migrations.js';
export type { PostgresInboxStoreOptions } from './options.js';
export { PostgresInboxStore } from './postgres-inbox-store.js';
