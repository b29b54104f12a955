import {
  ConfigurationError,
  describeError,
  type HealthStatus,
  type JsonObject,
  StoreError,
} from '@sitemsg/core/plugin';
import { checkOptionKeys } from '../option-keys.js';
import {
  INBOX_STORE_CONTRACT_VERSION,
  type InboxListQuery,
  type InboxMessage,
  type InboxStore,
  type NewInboxMessage,
  type OwnedOutcome,
} from '../types.js';
import { checkIdentifier, quote } from './identifiers.js';
import { type InboxTableNames, inboxMigrations } from './migrations.js';
import type { PgClient, PgPool } from './pool.js';

export interface PostgresInboxStoreOptions {
  /** An existing `pg.Pool` (left open by `close()`). Give this or `connectionString`. */
  readonly pool?: PgPool;
  /** A PostgreSQL URL: the store creates its own pool (and ends it on `close()`). */
  readonly connectionString?: string;
  /** Schema of the table; created by `migrate()` when missing. Default `public`. */
  readonly schema?: string;
  /** Prefix of the table name (`{prefix}inbox_messages`). Default `sitemsg_`. */
  readonly tablePrefix?: string;
  /** Run `migrate()` from `init()`. Default true; false when the DDL is applied by your own tool. */
  readonly migrate?: boolean;
}

const KNOWN = ['pool', 'connectionString', 'schema', 'tablePrefix', 'migrate'];
const COLUMNS = 'id, user_id, title, body, metadata, created_at, read_at';

/** The names the store uses for a schema and prefix, validated. */
export function inboxTableNames(schema = 'public', tablePrefix = 'sitemsg_'): InboxTableNames {
  checkIdentifier(schema, 'schema', 63);
  // Short enough that every index name (`{table}_user_created_idx`) stays within PostgreSQL's 63 bytes.
  if (tablePrefix !== '') checkIdentifier(tablePrefix, 'tablePrefix', 24);
  const tableName = `${tablePrefix}inbox_messages`;
  return { table: `${quote(schema)}.${quote(tableName)}`, tableName };
}

/** The whole DDL for one schema and prefix, for applications that run migrations with their own tool. */
export function inboxMigrationSql(schema?: string, tablePrefix?: string): string {
  const names = inboxTableNames(schema, tablePrefix);
  return inboxMigrations.map((m) => `-- ${m.id}\n${m.sql(names).trim()}\n`).join('\n');
}

/**
 * The inbox on PostgreSQL through `pg`: one table with a `(user_id, created_at DESC)` index.
 * Owner-guarded writes are single statements, so a concurrent delete or mark never half-applies.
 */
export class PostgresInboxStore implements InboxStore {
  readonly inboxStoreContractVersion: typeof INBOX_STORE_CONTRACT_VERSION = INBOX_STORE_CONTRACT_VERSION;
  readonly name: string = 'postgres';
  private readonly names: InboxTableNames;
  private readonly schema: string;
  private readonly migrationsTable: string;
  private readonly connectionString: string | null;
  private readonly runMigrations: boolean;
  private pool: PgPool | null;
  private ownsPool = false;

  constructor(options: PostgresInboxStoreOptions) {
    checkOptionKeys('PostgresInboxStore', options ?? {}, KNOWN);
    if ((options.pool === undefined) === (options.connectionString === undefined)) {
      throw new ConfigurationError(
        '[sitemsg] [inbox] PostgresInboxStore needs either pool or connectionString.',
      );
    }
    this.schema = options.schema ?? 'public';
    this.names = inboxTableNames(this.schema, options.tablePrefix ?? 'sitemsg_');
    this.migrationsTable = `${quote(this.schema)}.${quote(`${options.tablePrefix ?? 'sitemsg_'}inbox_migrations`)}`;
    this.pool = options.pool ?? null;
    this.connectionString = options.connectionString ?? null;
    this.runMigrations = options.migrate ?? true;
  }

  async init(): Promise<void> {
    if (!this.pool && this.connectionString !== null) {
      // Loaded here so that applications on the memory store never need `pg` installed.
      const { default: pg } = await import('pg');
      this.pool = new pg.Pool({ connectionString: this.connectionString });
      this.ownsPool = true;
    }
    if (this.runMigrations) await this.migrate();
  }

  async close(): Promise<void> {
    if (this.ownsPool && this.pool) {
      await this.pool.end();
      this.pool = null;
      this.ownsPool = false;
    }
  }

  /** Applies pending migrations in one transaction, serialised across processes by an advisory lock. */
  async migrate(): Promise<string[]> {
    const client = await this.connected()
      .connect()
      .catch((error: unknown) => {
        throw new StoreError(`[sitemsg] [inbox] could not connect to PostgreSQL: ${describeError(error)}`, {
          cause: error,
        });
      });
    try {
      await ensureSchema(client, this.schema);
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`sitemsg:inbox:${this.names.table}`]);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${this.migrationsTable} (id TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
      );
      const applied = new Set(
        (await client.query(`SELECT id FROM ${this.migrationsTable}`)).rows.map((r) => r.id),
      );
      const ran: string[] = [];
      for (const migration of inboxMigrations) {
        if (applied.has(migration.id)) continue;
        await client.query(migration.sql(this.names));
        await client.query(`INSERT INTO ${this.migrationsTable} (id) VALUES ($1)`, [migration.id]);
        ran.push(migration.id);
      }
      await client.query('COMMIT');
      return ran;
    } catch (error) {
      await rollback(client);
      throw new StoreError(`[sitemsg] [inbox] migration failed: ${describeError(error)}`, { cause: error });
    } finally {
      client.release();
    }
  }

  async healthCheck(): Promise<HealthStatus> {
    await this.query(`SELECT 1 FROM ${this.names.table} LIMIT 1`);
    return { status: 'healthy' };
  }

  async insert(message: NewInboxMessage): Promise<{ message: InboxMessage; created: boolean }> {
    const { rows } = await this.query(
      `INSERT INTO ${this.names.table} (id, user_id, title, body, metadata, created_at, idempotency_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
       RETURNING ${COLUMNS}`,
      [
        message.id,
        message.userId,
        message.title,
        message.body,
        JSON.stringify(message.metadata),
        message.createdAt,
        message.idempotencyKey,
      ],
    );
    if (rows[0]) return { message: toMessage(rows[0]), created: true };
    const existing = await this.query(
      `SELECT ${COLUMNS} FROM ${this.names.table} WHERE user_id = $1 AND idempotency_key = $2`,
      [message.userId, message.idempotencyKey],
    );
    if (!existing.rows[0]) throw new StoreError('[sitemsg] [inbox] insert conflicted but found no message.');
    return { message: toMessage(existing.rows[0]), created: false };
  }

  async get(id: string): Promise<InboxMessage | null> {
    const { rows } = await this.query(`SELECT ${COLUMNS} FROM ${this.names.table} WHERE id = $1`, [id]);
    return rows[0] ? toMessage(rows[0]) : null;
  }

  async list(query: InboxListQuery): Promise<InboxMessage[]> {
    const values: unknown[] = [query.userId, query.limit];
    let where = 'user_id = $1';
    if (query.unreadOnly) where += ' AND read_at IS NULL';
    if (query.before) {
      values.push(query.before.createdAt, query.before.id);
      where += ' AND (created_at, id) < ($3::timestamptz, $4::text COLLATE "C")';
    }
    const { rows } = await this.query(
      `SELECT ${COLUMNS} FROM ${this.names.table} WHERE ${where}
       ORDER BY created_at DESC, id DESC LIMIT $2`,
      values,
    );
    return rows.map(toMessage);
  }

  markRead(id: string, userId: string, now: Date): Promise<OwnedOutcome> {
    return this.guarded(
      `UPDATE ${this.names.table} SET read_at = $3 WHERE id = $1 AND user_id = $2 AND read_at IS NULL RETURNING id`,
      [id, userId, now],
      userId,
    );
  }

  async markAllRead(userId: string, now: Date): Promise<string[]> {
    const { rows } = await this.query(
      `UPDATE ${this.names.table} SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL RETURNING id`,
      [userId, now],
    );
    return rows.map((r) => String(r.id));
  }

  delete(id: string, userId: string): Promise<OwnedOutcome> {
    return this.guarded(
      `DELETE FROM ${this.names.table} WHERE id = $1 AND user_id = $2 RETURNING id`,
      [id, userId],
      userId,
    );
  }

  async countUnread(userId: string): Promise<number> {
    const { rows } = await this.query(
      `SELECT count(*)::int AS n FROM ${this.names.table} WHERE user_id = $1 AND read_at IS NULL`,
      [userId],
    );
    return Number(rows[0]?.n ?? 0);
  }

  async clearAll(userId: string): Promise<number> {
    return (await this.query(`DELETE FROM ${this.names.table} WHERE user_id = $1`, [userId])).rowCount ?? 0;
  }

  async deleteOlderThan(before: Date): Promise<number> {
    return (
      (await this.query(`DELETE FROM ${this.names.table} WHERE created_at < $1`, [before])).rowCount ?? 0
    );
  }

  /**
   * Runs an owner-filtered write and, in the same statement, looks the message up, so the outcome
   * (changed / unchanged / not-found / forbidden) describes one snapshot.
   */
  private async guarded(write: string, values: unknown[], userId: string): Promise<OwnedOutcome> {
    const { rows } = await this.query(
      `WITH target AS (SELECT user_id FROM ${this.names.table} WHERE id = $1),
            done AS (${write})
       SELECT (SELECT user_id FROM target) AS owner, (SELECT count(*) FROM done)::int AS changed`,
      values,
    );
    const row = rows[0];
    if (!row || row.owner === null) return 'not-found';
    if (row.owner !== userId) return 'forbidden';
    return Number(row.changed) > 0 ? 'changed' : 'unchanged';
  }

  private connected(): PgPool {
    if (!this.pool) {
      throw new ConfigurationError(
        '[sitemsg] [inbox] PostgresInboxStore is not initialised: call init() first.',
      );
    }
    return this.pool;
  }

  private async query(text: string, values?: unknown[]) {
    const pool = this.connected();
    try {
      return await pool.query(text, values);
    } catch (error) {
      throw new StoreError(`[sitemsg] [inbox] query failed: ${describeError(error)}`, { cause: error });
    }
  }
}

/**
 * Creates the schema outside the migration transaction. `IF NOT EXISTS` still races with anyone
 * else creating it at the same moment (another store sharing the schema, with its own lock): the
 * loser gets a unique violation, which only means the schema is there.
 */
async function ensureSchema(client: PgClient, schema: string): Promise<void> {
  const { rows } = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  if (rows.length > 0) return;
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quote(schema)}`);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== '23505' && code !== '42P06') throw error;
  }
}

async function rollback(client: PgClient): Promise<void> {
  await client.query('ROLLBACK').catch(() => undefined);
}

function toMessage(row: Record<string, unknown>): InboxMessage {
  const readAt = row.read_at instanceof Date ? row.read_at : null;
  return {
    id: String(row.id),
    userId: String(row.user_id),
    title: String(row.title),
    body: String(row.body),
    metadata: (row.metadata ?? {}) as JsonObject,
    createdAt: row.created_at as Date,
    read: readAt !== null,
    readAt,
  };
}
