import { ConfigurationError, StoreError } from '@sitemsg/core/plugin';
import { describe, expect, it } from 'vitest';
import { InboxService, inboxMigrationSql, PostgresInboxStore } from '../src/index.js';
import { testSchema } from './pg.js';

const { pool, schema, url } = testSchema('pgstore');

describe('PostgresInboxStore configuration', () => {
  it('accepts only identifiers for schema and table prefix, before any connection', () => {
    for (const bad of ['a;drop table x', 'has space', '1starts_with_digit', '"quoted"', '', 'x'.repeat(64)]) {
      expect(() => new PostgresInboxStore({ pool, schema: bad })).toThrow(ConfigurationError);
    }
    for (const bad of ['pre-fix_', 'a.b', 'x'.repeat(25)]) {
      expect(() => new PostgresInboxStore({ pool, tablePrefix: bad })).toThrow(
        /tablePrefix must be a SQL identifier/,
      );
    }
    expect(() => new PostgresInboxStore({ pool, schema: 'Ok_1', tablePrefix: '' })).not.toThrow();
  });

  it('needs exactly one of pool and connectionString, and knows its options', () => {
    expect(() => new PostgresInboxStore({})).toThrow(/either pool or connectionString/);
    expect(() => new PostgresInboxStore({ pool, connectionString: url })).toThrow(
      /either pool or connectionString/,
    );
    expect(() => new PostgresInboxStore({ pool, tabelPrefix: 'x' } as never)).toThrow(
      /unknown PostgresInboxStore option "tabelPrefix"/,
    );
  });

  it('prints the whole DDL for a schema and prefix', () => {
    const sql = inboxMigrationSql('app', 'my_');
    expect(sql).toContain('CREATE TABLE "app"."my_inbox_messages"');
    expect(sql).toContain('ON "app"."my_inbox_messages" (user_id, created_at DESC, id DESC)');
    expect(() => inboxMigrationSql('bad schema')).toThrow(ConfigurationError);
  });
});

describe('PostgresInboxStore migrations', () => {
  it('creates the schema, the table and its indexes once, even when two processes migrate at once', async () => {
    const ownSchema = `${schema}_m`;
    const a = new PostgresInboxStore({ pool, schema: ownSchema, migrate: false });
    const b = new PostgresInboxStore({ pool, schema: ownSchema, migrate: false });
    await a.init();
    await b.init();
    try {
      const ran = await Promise.all([a.migrate(), b.migrate()]);
      expect(ran.flat()).toEqual(['0001_create_inbox_messages']);
      expect(await a.migrate()).toEqual([]);
      const { rows } = await pool.query(
        'SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 ORDER BY indexname',
        [ownSchema, 'sitemsg_inbox_messages'],
      );
      const defs = rows.map((r: { indexdef: string }) => r.indexdef).join('\n');
      expect(defs).toContain('(user_id, created_at DESC, id DESC)');
      expect(defs).toMatch(
        /UNIQUE INDEX .* \(user_id, idempotency_key\) WHERE \(idempotency_key IS NOT NULL\)/,
      );
    } finally {
      await pool.query(`DROP SCHEMA IF EXISTS "${ownSchema}" CASCADE`);
    }
  });

  it('does not fail when someone else creates the schema at the same moment', async () => {
    for (let i = 0; i < 5; i++) {
      const shared = `${schema}_race${i}`;
      const store = new PostgresInboxStore({ pool, schema: shared, migrate: false });
      await store.init();
      try {
        const [ran] = await Promise.all([
          store.migrate(),
          pool.query(`CREATE SCHEMA IF NOT EXISTS "${shared}"`).catch(() => undefined),
        ]);
        expect(ran).toEqual(['0001_create_inbox_messages']);
      } finally {
        await pool.query(`DROP SCHEMA IF EXISTS "${shared}" CASCADE`);
      }
    }
  });

  it('leaves the DDL to the application with migrate: false (health is unhealthy until it runs)', async () => {
    const store = new PostgresInboxStore({ pool, schema, tablePrefix: 'manual_', migrate: false });
    const inbox = new InboxService({ store });
    const before = await inbox.healthCheck();
    expect(before.status).toBe('unhealthy');
    expect(before.detail).toMatch(/\[sitemsg\] \[inbox\] query failed: .*does not exist/);
    await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await pool.query(inboxMigrationSql(schema, 'manual_'));
    expect(await inbox.healthCheck()).toEqual({ status: 'healthy' });
    await inbox.send('u1', 't', 'b');
    expect(await inbox.countUnread('u1')).toBe(1);
  });
});

describe('PostgresInboxStore connections', () => {
  it('creates and ends its own pool from a connection string', async () => {
    const store = new PostgresInboxStore({ connectionString: url, schema, tablePrefix: 'own_' });
    const inbox = new InboxService({ store });
    await inbox.send('u1', 't', 'b');
    expect(await inbox.countUnread('u1')).toBe(1);
    await inbox.close();
    await expect(store.countUnread('u1')).rejects.toThrow(/not initialised: call init\(\) first/);
  });

  it('leaves a pool it was given open', async () => {
    const store = new PostgresInboxStore({ pool, schema, tablePrefix: 'given_' });
    await store.init();
    await store.close();
    expect((await pool.query('SELECT 1 AS one')).rows[0]).toEqual({ one: 1 });
  });

  it('wraps driver errors in a StoreError without the connection string', async () => {
    const store = new PostgresInboxStore({ connectionString: 'postgres://postgres:s3cret@127.0.0.1:1/test' });
    const inbox = new InboxService({ store, healthTimeoutMs: 5000 });
    const error = await inbox.send('u1', 't', 'b').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(String((error as Error).message)).toMatch(
      /^\[sitemsg\] \[inbox\] could not connect to PostgreSQL: .*ECONNREFUSED/,
    );
    expect(String((error as Error).message)).not.toContain('s3cret');
    await inbox.close();
  });
});
