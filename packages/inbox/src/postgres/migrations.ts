/** Names the migrations splice in; all validated identifiers, quoted where used. */
export interface InboxTableNames {
  /** `"schema"."prefix_inbox_messages"` */
  readonly table: string;
  /** The bare table name, for index names. */
  readonly tableName: string;
}

export interface InboxMigration {
  /** Stable id recorded in the migrations table once applied. */
  readonly id: string;
  sql(names: InboxTableNames): string;
}

/**
 * The inbox DDL as ordered migrations. `PostgresInboxStore.migrate()` applies the pending ones;
 * applications with their own migration tool can take the SQL from `inboxMigrationSql()` instead.
 * Append new migrations; never edit an applied one.
 */
export const inboxMigrations: readonly InboxMigration[] = [
  {
    id: '0001_create_inbox_messages',
    sql: ({ table, tableName }) => `
CREATE TABLE ${table} (
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
CREATE INDEX "${tableName}_user_created_idx" ON ${table} (user_id, created_at DESC, id DESC);
-- At most one message per user and idempotency key (the inbox messenger uses the dispatch id).
CREATE UNIQUE INDEX "${tableName}_user_key_idx" ON ${table} (user_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
-- Retention: pruneOlderThan() deletes by age across all users.
CREATE INDEX "${tableName}_created_idx" ON ${table} (created_at);
`,
  },
];
