import type { Logger } from '@sitemsg/core/plugin';
import type { PoolClient } from 'pg';
import { type Db, storeError } from './db.js';
import type { Names } from './names.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  sql(n: Names): string;
}

/**
 * Percent of each dispatch page that inserts fill: the rest holds the versions that claims write
 * beside the rows they lease. A claimed row is wider than a pending one (lease owner and expiry:
 * measured 113 → 153 bytes with a 26-character worker id), so all of a page's claimed versions
 * fit beside its rows below ~43 %.
 */
const DISPATCH_FILLFACTOR = 40;

const STATUSES = "'pending', 'processing', 'sent', 'error', 'failed'";

/** Append-only: a released migration is never edited, a change is a new version. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'messages, dispatches, errors, subscriptions, suppressions',
    sql: (n) => `
CREATE TABLE ${n.messages} (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  type text NOT NULL,
  context jsonb NOT NULL,
  sender_id text,
  priority integer NOT NULL,
  dispatches_ready boolean NOT NULL,
  created_at timestamptz NOT NULL,
  send_at timestamptz,
  idempotency_key text,
  group_mark text
);
CREATE UNIQUE INDEX ${n.index('messages_idempotency_key')} ON ${n.messages} (idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE INDEX ${n.index('messages_group')} ON ${n.messages} (type, group_mark, id)
  WHERE group_mark IS NOT NULL;
CREATE INDEX ${n.index('messages_postponed')} ON ${n.messages} (id) WHERE NOT dispatches_ready;

CREATE TABLE ${n.dispatches} (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- No foreign key: its per-row check slowed bulk scheduling by half, and the store only ever
  -- inserts dispatches with their message and deletes a message once it has none left.
  message_id bigint NOT NULL,
  messenger text NOT NULL,
  address text NOT NULL,
  user_id text,
  -- Copied from the message so that the claim reads one table through one index.
  priority integer NOT NULL,
  message_type text NOT NULL,
  status text NOT NULL CHECK (status IN (${STATUSES})),
  read_status text NOT NULL DEFAULT 'unread' CHECK (read_status IN ('unread', 'read')),
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  next_attempt_at timestamptz,
  lease_owner text,
  lease_expires_at timestamptz,
  -- To send now, or being sent under a lease: the claim index holds these rows only, so a claim
  -- never walks past rows that wait (future send-at, retry back-off) or are done. A claim leaves
  -- a leased row here (it skips it while the lease lives) and so changes no indexed column: with
  -- the room the fillfactor leaves, each claimed version is written beside the old one (HOT).
  queued boolean NOT NULL,
  -- When a waiting row becomes claimable (send-at or next attempt); the claim moves due rows into
  -- the queue first. NULL while queued and once sent or failed.
  due_at timestamptz,
  created_at timestamptz NOT NULL,
  dispatched_at timestamptz,
  read_at timestamptz,
  -- Its message has a group mark: grouping looks its dispatches up by message.
  grouped boolean NOT NULL DEFAULT false
) WITH (fillfactor = ${DISPATCH_FILLFACTOR});
CREATE INDEX ${n.index('dispatches_claimable')} ON ${n.dispatches} (priority DESC, id) WHERE queued;
CREATE INDEX ${n.index('dispatches_waiting')} ON ${n.dispatches} (due_at)
  WHERE NOT queued AND due_at IS NOT NULL;
-- No index of all rows by message: scheduling, every claim and every completion would each
-- write an entry to it (measured: a B-tree cost 10-13 % of the schedule and send rates, a BRIN
-- index still 8 % of the schedule rate). Grouping, the one lookup by message on a hot path, has
-- one over grouped rows only; listing a message's dispatches and cleanup scan the table instead.
CREATE INDEX ${n.index('dispatches_group_message')} ON ${n.dispatches} (message_id) WHERE grouped;

CREATE TABLE ${n.errors} (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  dispatch_id bigint NOT NULL REFERENCES ${n.dispatches} (id) ON DELETE CASCADE,
  error text NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX ${n.index('dispatch_errors_dispatch')} ON ${n.errors} (dispatch_id, id);

CREATE TABLE ${n.subscriptions} (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  message_type text NOT NULL,
  messenger text NOT NULL,
  user_id text,
  address text
);
-- One subscription per (type, messenger, user) for users and per (type, messenger, address) otherwise.
CREATE UNIQUE INDEX ${n.index('subscriptions_unique')} ON ${n.subscriptions} (
  message_type, messenger, coalesce(user_id, ''),
  (CASE WHEN user_id IS NULL THEN coalesce(address, '') ELSE '' END)
);
CREATE INDEX ${n.index('subscriptions_user')} ON ${n.subscriptions} (user_id) WHERE user_id IS NOT NULL;

CREATE TABLE ${n.suppressions} (
  message_type text NOT NULL,
  messenger text NOT NULL,
  address text NOT NULL,
  PRIMARY KEY (message_type, messenger, address)
);`,
  },
  // A new version rather than an edit of version 1, although the package is unreleased: a schema
  // created by a pre-release stays at version 1 and is brought forward by this one.
  {
    version: 2,
    name: 'delivery feedback: provider message ids, feedback, suppressions by address',
    sql: (n) => `
-- No default: adding the column rewrites no row. Only sent dispatches carry one.
ALTER TABLE ${n.dispatches} ADD COLUMN provider_message_id text;
-- Feedback names a dispatch by the provider's id; the rows sent without one are left out, so
-- messengers that report none add nothing to the index or to the completion that writes it.
CREATE INDEX ${n.index('dispatches_provider_message')} ON ${n.dispatches} (messenger, provider_message_id)
  WHERE provider_message_id IS NOT NULL;

CREATE TABLE ${n.feedback} (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- Cleanup deletes a sent dispatch's feedback with it, as it does its error log.
  dispatch_id bigint NOT NULL REFERENCES ${n.dispatches} (id) ON DELETE CASCADE,
  -- No CHECK of the kind: core validates it, and a kind a later core adds must not need a migration.
  kind text NOT NULL,
  bounce text CHECK (bounce IN ('hard', 'soft')),
  provider_code text,
  detail text,
  event_id text,
  at timestamptz NOT NULL
);
-- A provider's redelivered event is recorded once (ON CONFLICT DO NOTHING).
CREATE UNIQUE INDEX ${n.index('feedback_event')} ON ${n.feedback} (dispatch_id, event_id)
  WHERE event_id IS NOT NULL;
-- listFeedback in the order written, and the cascade from a deleted dispatch.
CREATE INDEX ${n.index('feedback_dispatch')} ON ${n.feedback} (dispatch_id, id);

-- Lifting an address's suppressions of every type (the primary key leads with the type).
CREATE INDEX ${n.index('suppressions_address')} ON ${n.suppressions} (messenger, address);`,
  },
  {
    version: 3,
    name: 'dispatch receipts, medium-wide suppressions',
    sql: (n) => `
-- What the provider reported for a sent dispatch (SMS segments, a price): small JSON, NULL for the
-- rest. No default: adding the column rewrites no row.
ALTER TABLE ${n.dispatches} ADD COLUMN receipt jsonb;

-- A suppression on every messenger of a medium (an SMS STOP holds on Twilio and Vonage alike) is
-- kept once, with messenger '*' and the medium; a messenger's own rows have medium ''. The
-- primary key takes the medium last, so the probes by (type, messenger, address) keep using it.
ALTER TABLE ${n.suppressions} ADD COLUMN medium text NOT NULL DEFAULT '';
DO $$
DECLARE pk text;
BEGIN
  SELECT conname INTO pk FROM pg_constraint
    WHERE conrelid = '${n.suppressions}'::regclass AND contype = 'p';
  EXECUTE format('ALTER TABLE ${n.suppressions} DROP CONSTRAINT %I', pk);
END $$;
ALTER TABLE ${n.suppressions} ADD PRIMARY KEY (message_type, messenger, address, medium);`,
  },
];

export const LATEST_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * Append-only migrations with a version table of their own: the store's, and the inbox's
 * (`@sitemsg/store-postgres/inbox`), which share this runner, its lock and its naming.
 */
export interface MigrationSet {
  /** Whose migrations, in log lines: `store`, `inbox`. */
  readonly label: string;
  readonly migrations: readonly Migration[];
  /** The table recording the set's applied versions. */
  table(n: Names): string;
}

export const STORE_MIGRATIONS: MigrationSet = {
  label: 'store',
  migrations: MIGRATIONS,
  table: (n) => n.migrations,
};

/**
 * Applies the missing migrations of a set, each in its own transaction, under a session advisory
 * lock per schema and prefix (one for both sets): two processes migrating at once run one after
 * the other, and the second finds nothing left to do. Returns the set's schema version.
 */
export async function migrate(
  db: Db,
  n: Names,
  logger: Logger,
  set: MigrationSet = STORE_MIGRATIONS,
): Promise<number> {
  let client: PoolClient;
  try {
    client = await db.pool.connect();
  } catch (error) {
    throw storeError('migrate', error);
  }
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [n.lockScope]);
    try {
      return await applyPending(client, n, logger, set);
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [n.lockScope]);
    }
  } catch (error) {
    broken = error instanceof Error ? error : new Error(String(error));
    throw storeError('migrate', error);
  } finally {
    client.release(broken);
  }
}

async function applyPending(
  client: PoolClient,
  n: Names,
  logger: Logger,
  set: MigrationSet,
): Promise<number> {
  await ensureSchema(client, n.schema);
  const table = set.table(n);
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${table} (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
  );
  const { rows } = await client.query<{ version: number | null }>(
    `SELECT max(version) AS version FROM ${table}`,
  );
  let current = rows[0]?.version ?? 0;
  for (const migration of set.migrations) {
    if (migration.version <= current) continue;
    try {
      await client.query('BEGIN');
      await client.query(migration.sql(n));
      await client.query(`INSERT INTO ${table} (version, name) VALUES ($1, $2)`, [
        migration.version,
        migration.name,
      ]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    current = migration.version;
    logger.info?.(
      `[sitemsg] [postgres] applied ${set.label} migration ${migration.version} (${migration.name})`,
    );
  }
  const latest = set.migrations[set.migrations.length - 1]?.version ?? 0;
  if (current > latest) {
    logger.warn?.(
      `[sitemsg] [postgres] the ${set.label} schema is at version ${current}, newer than this @sitemsg/store-postgres knows (${latest}): upgrade the package.`,
    );
  }
  return current;
}

/**
 * Creates the schema (a quoted identifier) when missing; one that exists needs no privilege on
 * the database. `IF NOT EXISTS` still races with anyone creating it at the same moment under
 * another lock (a store with another prefix, an application's own DDL): the loser gets a unique
 * violation, which only means that the schema is there.
 */
async function ensureSchema(client: PoolClient, schema: string): Promise<void> {
  const { rows } = await client.query<{ oid: unknown }>('SELECT to_regnamespace($1) AS oid', [schema]);
  if (rows[0]?.oid !== null && rows[0]?.oid !== undefined) return;
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== '23505' && code !== '42P06') throw error;
  }
}
