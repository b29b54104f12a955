import type { Migration, MigrationSet } from '../migrations.js';
import { buildNames } from '../names.js';
import { checkSchema, checkTablePrefix } from '../options.js';

/** Append-only, as the store's: a released migration is never edited, a change is a new version. */
const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'inbox messages',
    sql: (n) => `
CREATE TABLE ${n.inboxMessages} (
  id TEXT COLLATE "C" PRIMARY KEY,
  user_id TEXT NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  metadata JSONB NOT NULL DEFAULT '{}'::jsonb,
  created_at TIMESTAMPTZ NOT NULL,
  read_at TIMESTAMPTZ NULL,
  idempotency_key TEXT NULL
);
-- The bell's queries: a user's page newest first (id breaks ties) and the unread count.
CREATE INDEX ${n.index('inbox_messages_user_created_idx')} ON ${n.inboxMessages} (user_id, created_at DESC, id DESC);
-- At most one message per user and idempotency key (the inbox messenger uses the dispatch id).
CREATE UNIQUE INDEX ${n.index('inbox_messages_user_key_idx')} ON ${n.inboxMessages} (user_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
-- Retention: pruneOlderThan() deletes by age across all users.
CREATE INDEX ${n.index('inbox_messages_created_idx')} ON ${n.inboxMessages} (created_at);
`,
  },
];

/** The inbox's migrations: run by the store's runner, recorded in `{prefix}inbox_migrations`. */
export const INBOX_MIGRATIONS: MigrationSet = {
  label: 'inbox',
  migrations: MIGRATIONS,
  table: (n) => n.inboxMigrations,
};

/** The inbox schema version this package migrates to. */
export const INBOX_SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * The whole inbox DDL for one schema and prefix (defaults `public`, `sitemsg_`), for applications
 * that apply migrations with their own tool (`new PostgresInboxStore(connection, { migrate: false })`).
 */
export function inboxMigrationSql(
  options: { readonly schema?: string; readonly tablePrefix?: string } = {},
): string {
  const n = buildNames({
    schema: checkSchema(options.schema),
    tablePrefix: checkTablePrefix(options.tablePrefix),
  });
  return MIGRATIONS.map((m) => `-- ${m.version}: ${m.name}\n${m.sql(n).trim()}\n`).join('\n');
}
