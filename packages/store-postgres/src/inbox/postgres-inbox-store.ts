import { type HealthStatus, StoreError } from '@sitemsg/core/plugin';
import {
  INBOX_STORE_CONTRACT_VERSION,
  type InboxListQuery,
  type InboxMessage,
  type InboxStore,
  type NewInboxMessage,
  type OwnedOutcome,
} from '@sitemsg/inbox';
import type pg from 'pg';
import { Db } from '../db.js';
import { migrate } from '../migrations.js';
import { buildNames, type Names } from '../names.js';
import { checkConnection, type PostgresConnection } from '../options.js';
import { StorePool } from '../pool.js';
import { INBOX_MIGRATIONS } from './migrations.js';
import {
  INBOX_STORE,
  type PostgresInboxStoreOptions,
  type ResolvedInboxOptions,
  resolveInboxOptions,
} from './options.js';
import { COLUMNS, toInboxMessage } from './rows.js';

/**
 * The inbox (`@sitemsg/inbox`) on PostgreSQL: one table `{prefix}inbox_messages` with a
 * `(user_id, created_at DESC, id DESC)` index, in the schema and under the prefix of the store's
 * own tables if you like, migrated by the store's runner. Owner-guarded writes are single
 * statements, so a concurrent delete or mark never half-applies. Nothing connects before `init()`.
 */
export class PostgresInboxStore implements InboxStore {
  readonly inboxStoreContractVersion: typeof INBOX_STORE_CONTRACT_VERSION = INBOX_STORE_CONTRACT_VERSION;
  readonly name: string = 'postgres';
  /** The pool the store runs on (the application's, or the one it created from the URL). */
  readonly pool: pg.Pool;
  private readonly options: ResolvedInboxOptions;
  private readonly names: Names;
  private readonly connection: StorePool;
  private readonly db: Db;

  constructor(connection: PostgresConnection, options: PostgresInboxStoreOptions = {}) {
    checkConnection(connection, INBOX_STORE);
    this.options = resolveInboxOptions(options);
    this.names = buildNames(this.options);
    this.connection = new StorePool(connection, this.options.logger, 'postgres');
    this.pool = this.connection.pool;
    this.db = new Db(this.pool, false);
  }

  /** Creates or upgrades the inbox table (unless `migrate: false`). */
  async init(): Promise<void> {
    if (this.options.migrate) await this.migrate();
  }

  /**
   * Applies the inbox's missing migrations under the store's advisory lock (safe when several
   * processes start at once); returns the inbox schema version.
   */
  migrate(): Promise<number> {
    return migrate(this.db, this.names, this.options.logger, INBOX_MIGRATIONS);
  }

  /** Ends the pool if the store created it; an application's pool stays open. */
  close(): Promise<void> {
    return this.connection.end();
  }

  /** Probes the table (passes on an empty inbox); throws a StoreError when it cannot be read. */
  async healthCheck(): Promise<HealthStatus> {
    await this.db.query('inbox health check', `SELECT 1 FROM ${this.names.inboxMessages} LIMIT 1`);
    return { status: 'healthy' };
  }

  async insert(message: NewInboxMessage): Promise<{ message: InboxMessage; created: boolean }> {
    const table = this.names.inboxMessages;
    const { rows } = await this.db.query(
      'inbox insert',
      `INSERT INTO ${table} (id, user_id, title, body, metadata, created_at, idempotency_key)
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
    if (rows[0]) return { message: toInboxMessage(rows[0]), created: true };
    // The key is taken: the first message holds it (committed, since the insert waited for it).
    const existing = await this.db.query(
      'inbox insert',
      `SELECT ${COLUMNS} FROM ${table} WHERE user_id = $1 AND idempotency_key = $2`,
      [message.userId, message.idempotencyKey],
    );
    if (!existing.rows[0]) {
      throw new StoreError(
        '[sitemsg] [postgres] inbox insert conflicted on the idempotency key but found no message holding it (deleted meanwhile): retry the send.',
      );
    }
    return { message: toInboxMessage(existing.rows[0]), created: false };
  }

  async get(id: string): Promise<InboxMessage | null> {
    const { rows } = await this.db.query(
      'inbox read',
      `SELECT ${COLUMNS} FROM ${this.names.inboxMessages} WHERE id = $1`,
      [id],
    );
    return rows[0] ? toInboxMessage(rows[0]) : null;
  }

  async list(query: InboxListQuery): Promise<InboxMessage[]> {
    const values: unknown[] = [query.userId, query.limit];
    let where = 'user_id = $1';
    if (query.unreadOnly) where += ' AND read_at IS NULL';
    if (query.before) {
      values.push(query.before.createdAt, query.before.id);
      where += ' AND (created_at, id) < ($3::timestamptz, $4::text COLLATE "C")';
    }
    const { rows } = await this.db.query(
      'inbox list',
      `SELECT ${COLUMNS} FROM ${this.names.inboxMessages} WHERE ${where}
       ORDER BY created_at DESC, id DESC LIMIT $2`,
      values,
    );
    return rows.map(toInboxMessage);
  }

  markRead(id: string, userId: string, now: Date): Promise<OwnedOutcome> {
    return this.guarded(
      'inbox mark read',
      `UPDATE ${this.names.inboxMessages} SET read_at = $3 WHERE id = $1 AND user_id = $2 AND read_at IS NULL RETURNING id`,
      [id, userId, now],
      userId,
    );
  }

  async markAllRead(userId: string, now: Date): Promise<string[]> {
    const { rows } = await this.db.query<{ id: string }>(
      'inbox mark all read',
      `UPDATE ${this.names.inboxMessages} SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL RETURNING id`,
      [userId, now],
    );
    return rows.map((r) => String(r.id));
  }

  delete(id: string, userId: string): Promise<OwnedOutcome> {
    return this.guarded(
      'inbox delete',
      `DELETE FROM ${this.names.inboxMessages} WHERE id = $1 AND user_id = $2 RETURNING id`,
      [id, userId],
      userId,
    );
  }

  async countUnread(userId: string): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(
      'inbox unread count',
      `SELECT count(*)::int AS n FROM ${this.names.inboxMessages} WHERE user_id = $1 AND read_at IS NULL`,
      [userId],
    );
    return Number(rows[0]?.n ?? 0);
  }

  async clearAll(userId: string): Promise<number> {
    const { rowCount } = await this.db.query(
      'inbox clear',
      `DELETE FROM ${this.names.inboxMessages} WHERE user_id = $1`,
      [userId],
    );
    return rowCount;
  }

  async deleteOlderThan(before: Date): Promise<number> {
    const { rowCount } = await this.db.query(
      'inbox retention',
      `DELETE FROM ${this.names.inboxMessages} WHERE created_at < $1`,
      [before],
    );
    return rowCount;
  }

  /**
   * Runs an owner-filtered write and, in the same statement, looks the message up, so the outcome
   * (changed / unchanged / not-found / forbidden) describes one snapshot.
   */
  private async guarded(
    operation: string,
    write: string,
    values: unknown[],
    userId: string,
  ): Promise<OwnedOutcome> {
    const { rows } = await this.db.query<{ owner: string | null; changed: number }>(
      operation,
      `WITH target AS (SELECT user_id FROM ${this.names.inboxMessages} WHERE id = $1),
            done AS (${write})
       SELECT (SELECT user_id FROM target) AS owner, (SELECT count(*) FROM done)::int AS changed`,
      values,
    );
    const row = rows[0];
    if (!row || row.owner === null) return 'not-found';
    if (row.owner !== userId) return 'forbidden';
    return Number(row.changed) > 0 ? 'changed' : 'unchanged';
  }
}
