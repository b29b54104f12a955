import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigurationError, StoreError } from '@sitemsg/core/plugin';
import { InboxMessenger, InboxService } from '@sitemsg/inbox';
import pg from 'pg';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  INBOX_SCHEMA_VERSION,
  inboxMigrationSql,
  PostgresInboxStore,
  sitemsgDriver,
} from '../../src/inbox/index.js';
import { PostgresStore } from '../../src/index.js';
import { dropSchema, pgUrl, uniqueSchema } from '../support/schema.js';

const nowhere = 'postgres://nobody@127.0.0.1:1/none';
const schema = uniqueSchema('inbox');
const pool = new pg.Pool({ connectionString: pgUrl(), max: 5 });
afterAll(async () => {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
});

/** A schema of its own for one test, dropped after it. */
function ownSchema(label: string): string {
  const name = uniqueSchema(label);
  onTestFinished(() => dropSchema(pgUrl(), name));
  return name;
}

describe('PostgresInboxStore configuration', () => {
  it('accepts only plain SQL identifiers for schema and table prefix, before any connection', () => {
    for (const bad of [
      'a;drop table x',
      'has space',
      '1starts_with_digit',
      '"quoted"',
      'Upper',
      '',
      'x'.repeat(64),
    ]) {
      expect(() => new PostgresInboxStore({ pool }, { schema: bad })).toThrow(
        /^\[sitemsg\] \[postgres\] schema .* is not a plain SQL identifier/,
      );
    }
    for (const bad of ['pre-fix_', 'a.b', 'x'.repeat(33)]) {
      expect(() => new PostgresInboxStore({ pool }, { tablePrefix: bad })).toThrow(
        /^\[sitemsg\] \[postgres\] tablePrefix .* is not a plain SQL identifier/,
      );
    }
    expect(() => new PostgresInboxStore({ pool }, { schema: 'ok_1', tablePrefix: '' })).not.toThrow();
  });

  it('takes the store’s connection argument and says where a misplaced key belongs', () => {
    expect(() => new PostgresInboxStore({} as never)).toThrow(
      /exactly one of \{ pool \} or \{ connectionString \}/,
    );
    expect(() => new PostgresInboxStore({ pool, connectionString: nowhere } as never)).toThrow(
      ConfigurationError,
    );
    expect(() => new PostgresInboxStore({ connectionString: nowhere, schema: 'app' } as never)).toThrow(
      /"schema" belongs in the second argument .*: new PostgresInboxStore\(\{ connectionString \}, \{ schema \}\)/,
    );
    expect(() => new PostgresInboxStore({ connectionString: nowhere, max: 5 } as never)).toThrow(
      /"max" is a pg.Pool setting: put it in the connection's poolConfig/,
    );
    expect(() => new PostgresInboxStore({ connectionString: nowhere }, { pool } as never)).toThrow(
      /"pool" belongs in the first argument \(the connection\), not the options: new PostgresInboxStore/,
    );
    expect(
      () => new PostgresInboxStore({ connectionString: nowhere }, { tabelPrefix: 'x' } as never),
    ).toThrow(
      /Unknown PostgresInboxStore option "tabelPrefix": the options are schema, tablePrefix, migrate, logger/,
    );
    expect(() => new PostgresInboxStore({ connectionString: nowhere }, { maxPageSize: 5 } as never)).toThrow(
      /"maxPageSize" \(it belongs to new InboxService\(\{ maxPageSize \}\)\)/,
    );
    expect(() => new PostgresInboxStore({ connectionString: nowhere }, { migrate: 'no' } as never)).toThrow(
      /migrate must be true or false/,
    );
  });

  it('prints the whole DDL for a schema and prefix', () => {
    const sql = inboxMigrationSql({ schema: 'app', tablePrefix: 'my_' });
    expect(sql).toContain('CREATE TABLE "app"."my_inbox_messages"');
    expect(sql).toContain(
      '"my_inbox_messages_user_created_idx" ON "app"."my_inbox_messages" (user_id, created_at DESC, id DESC)',
    );
    expect(inboxMigrationSql()).toContain('CREATE TABLE "public"."sitemsg_inbox_messages"');
    expect(() => inboxMigrationSql({ schema: 'bad schema' })).toThrow(ConfigurationError);
  });
});

describe('PostgresInboxStore migrations', () => {
  it('creates the schema, the table and its indexes once, even when several processes migrate at once', async () => {
    const own = ownSchema('inbox_m');
    const stores = Array.from(
      { length: 3 },
      () => new PostgresInboxStore({ pool }, { schema: own, migrate: false }),
    );
    const versions = await Promise.all(stores.map((s) => s.migrate()));
    expect(versions).toEqual([INBOX_SCHEMA_VERSION, INBOX_SCHEMA_VERSION, INBOX_SCHEMA_VERSION]);
    expect(await stores[0]!.migrate()).toBe(INBOX_SCHEMA_VERSION);
    const applied = await pool.query(`SELECT version, name FROM "${own}".sitemsg_inbox_migrations`);
    expect(applied.rows).toEqual([{ version: 1, name: 'inbox messages' }]);
    const { rows } = await pool.query(
      'SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 ORDER BY indexname',
      [own, 'sitemsg_inbox_messages'],
    );
    const defs = rows.map((r: { indexdef: string }) => r.indexdef).join('\n');
    expect(defs).toContain('(user_id, created_at DESC, id DESC)');
    expect(defs).toMatch(
      /UNIQUE INDEX .* \(user_id, idempotency_key\) WHERE \(idempotency_key IS NOT NULL\)/,
    );
    expect(defs).toContain('sitemsg_inbox_messages_created_idx');
  });

  it('shares a schema and prefix with the store: one lock, a version table each', async () => {
    const own = ownSchema('inbox_shared');
    const logs: string[] = [];
    const logger = { info: (line: string) => logs.push(line) };
    const store = new PostgresStore({ pool }, { schema: own, listen: false, logger });
    const inbox = new PostgresInboxStore({ pool }, { schema: own, logger });
    await Promise.all([store.init(), inbox.init()]);
    const tables = await pool.query(
      "SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename LIKE '%migrations' ORDER BY 1",
      [own],
    );
    expect(tables.rows.map((r: { tablename: string }) => r.tablename)).toEqual([
      'sitemsg_inbox_migrations',
      'sitemsg_migrations',
    ]);
    expect(logs).toContain('[sitemsg] [postgres] applied inbox migration 1 (inbox messages)');
    expect(logs).toContain(
      '[sitemsg] [postgres] applied store migration 1 (messages, dispatches, errors, subscriptions, suppressions)',
    );
    expect(await inbox.healthCheck()).toEqual({ status: 'healthy' });
    expect((await store.healthCheck()).status).toBe('healthy');
    await store.close();
  });

  it('does not fail when someone else creates the schema at the same moment', async () => {
    for (let i = 0; i < 5; i++) {
      const shared = ownSchema(`inbox_race${i}`);
      const store = new PostgresInboxStore({ pool }, { schema: shared, migrate: false });
      const [version] = await Promise.all([
        store.migrate(),
        pool.query(`CREATE SCHEMA IF NOT EXISTS "${shared}"`).catch(() => undefined),
      ]);
      expect(version).toBe(INBOX_SCHEMA_VERSION);
    }
  });

  it('leaves the DDL to the application with migrate: false (health fails until it runs)', async () => {
    const store = new PostgresInboxStore({ pool }, { schema, tablePrefix: 'manual_', migrate: false });
    const inbox = new InboxService({ store });
    const before = await inbox.healthCheck();
    expect(before.status).toBe('unhealthy');
    expect(before.detail).toMatch(/\[sitemsg\] \[postgres\] inbox health check failed: .*does not exist/);
    await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await pool.query(inboxMigrationSql({ schema, tablePrefix: 'manual_' }));
    expect(await inbox.healthCheck()).toMatchObject({ status: 'healthy' });
    await inbox.send('u1', 't', 'b');
    expect(await inbox.countUnread('u1')).toBe(1);
  });
});

describe('PostgresInboxStore connections', () => {
  it('creates and ends its own pool from a connection string', async () => {
    const store = new PostgresInboxStore({ connectionString: pgUrl() }, { schema, tablePrefix: 'own_' });
    const inbox = new InboxService({ store });
    await inbox.send('u1', 't', 'b');
    expect(await inbox.countUnread('u1')).toBe(1);
    await inbox.close();
    expect(store.pool.ended).toBe(true);
    await expect(store.countUnread('u1')).rejects.toBeInstanceOf(StoreError);
  });

  it('leaves a pool it was given open', async () => {
    const store = new PostgresInboxStore({ pool }, { schema, tablePrefix: 'given_' });
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
      /^\[sitemsg\] \[postgres\] migrate failed: .*ECONNREFUSED/,
    );
    expect(String((error as Error).message)).not.toContain('s3cret');
    await inbox.close();
  });
});

describe('sitemsgDriver of @sitemsg/store-postgres/inbox', () => {
  const ctx = { name: 'bell', primary: false };

  it('creates the inbox messenger on PostgreSQL from a configuration', async () => {
    const messenger = sitemsgDriver.create(
      { connectionString: pgUrl(), schema, tablePrefix: 'driver_', retentionDays: '30', title: 'Bell' },
      ctx,
    ) as InboxMessenger;
    expect(messenger).toBeInstanceOf(InboxMessenger);
    expect(messenger).toMatchObject({ alias: 'bell', title: 'Bell', channel: 'inbox' });
    expect(messenger.inbox.store).toBeInstanceOf(PostgresInboxStore);
    expect(messenger.inbox.retentionDays).toBe(30);
    await messenger.init();
    await messenger.inbox.send('u1', 't', 'b');
    const { rows } = await pool.query(`SELECT user_id FROM "${schema}".driver_inbox_messages`);
    expect(rows).toEqual([{ user_id: 'u1' }]);
    await messenger.close();
    expect((messenger.inbox.store as PostgresInboxStore).pool.ended).toBe(true);
  });

  it('fails at start-up on a missing, unknown or bad option', () => {
    expect(() => sitemsgDriver.create({ schema: 'app' }, ctx)).toThrow(
      /^\[sitemsg\] \[bell\] connectionString is required for the inbox on PostgreSQL\.$/,
    );
    expect(() => sitemsgDriver.create({ connectionString: nowhere, url: 'mongodb://x' }, ctx)).toThrow(
      /unknown inbox option "url" \(known: maxPageSize, retentionDays, title, connectionString, schema, tablePrefix\)/,
    );
    expect(() => sitemsgDriver.create({ connectionString: nowhere, schema: 'bad schema' }, ctx)).toThrow(
      /schema "bad schema" is not a plain SQL identifier/,
    );
  });
});

describe('@sitemsg/store-postgres entry points', () => {
  it('never loads @sitemsg/inbox from the main entry, so an application without the inbox needs none', () => {
    const src = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/from '@sitemsg\/inbox'|import\('@sitemsg\/inbox'\)/);
      for (const [, spec] of text.matchAll(/from '(\.[^']+)'/g)) {
        visit(resolve(dirname(file), spec!.replace(/\.js$/, '.ts')));
      }
    };
    visit(resolve(src, 'index.ts'));
    visit(resolve(src, 'pglite.ts'));
    expect(seen.size).toBeGreaterThan(10);
    expect([...seen].some((file) => file.includes('/inbox/'))).toBe(false);
  });
});
