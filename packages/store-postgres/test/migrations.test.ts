import { StoreError } from '@sitemsg/core/plugin';
import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import { PostgresStore, SCHEMA_VERSION } from '../src/index.js';
import { MIGRATIONS } from '../src/migrations.js';
import { buildNames } from '../src/names.js';
import { resolveStoreOptions } from '../src/options.js';
import { dropSchema, pgUrl, uniqueSchema } from './support/schema.js';
import { message, openStores, recipients } from './support/stores.js';

function appPool(): pg.Pool {
  const pool = new pg.Pool({ connectionString: pgUrl(), max: 4 });
  onTestFinished(() => pool.end());
  return pool;
}

describe('migrations', () => {
  it('run once when several processes migrate at the same time, and again as a no-op', async () => {
    const schema = uniqueSchema('migrate');
    const url = pgUrl();
    const stores = Array.from({ length: 4 }, () => new PostgresStore({ connectionString: url }, { schema }));
    onTestFinished(async () => {
      await Promise.all(stores.map((s) => s.close()));
      await dropSchema(url, schema);
    });
    const versions = await Promise.all(stores.map((s) => s.migrate()));
    expect(versions).toEqual([SCHEMA_VERSION, SCHEMA_VERSION, SCHEMA_VERSION, SCHEMA_VERSION]);
    expect(await stores[0]!.migrate()).toBe(SCHEMA_VERSION);
    const { rows } = await stores[0]!.pool.query(`SELECT version FROM "${schema}".sitemsg_migrations`);
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version })));
    expect(await stores[1]!.healthCheck()).toEqual({
      status: 'healthy',
      detail: `schema version ${SCHEMA_VERSION}`,
    });
  });

  it('brings a schema a pre-release left at version 1 forward to the latest version, its rows intact', async () => {
    const pool = appPool();
    const schema = uniqueSchema('from_v1');
    onTestFinished(() => dropSchema(pgUrl(), schema));
    // Version 1 exactly as a pre-release wrote it, with its own rows.
    const n = buildNames(resolveStoreOptions({ schema }));
    await pool.query(`CREATE SCHEMA ${n.schema}`);
    await pool.query(
      `CREATE TABLE ${n.migrations} (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    await pool.query(MIGRATIONS[0]!.sql(n));
    await pool.query(`INSERT INTO ${n.migrations} (version, name) VALUES (1, $1)`, [MIGRATIONS[0]!.name]);
    const old = new PostgresStore({ pool }, { schema });
    const now = new Date('2026-01-01T00:00:00Z');
    await pool.query(`INSERT INTO ${n.suppressions} VALUES ('plain', 'test', 'gone@x.test')`);
    // A message and two dispatches as version 1 holds them (the store's statements need the latest).
    await pool.query(
      `INSERT INTO ${n.messages} (type, context, priority, dispatches_ready, created_at) VALUES ('plain', '{}', 0, true, $1)`,
      [now],
    );
    await pool.query(
      `INSERT INTO ${n.dispatches} (message_id, messenger, address, priority, message_type, status, queued, created_at)
       SELECT 1, 'test', 'r' || g || '@x.test', 0, 'plain', 'pending', true, $1 FROM generate_series(1, 2) g`,
      [now],
    );
    expect(await old.healthCheck()).toMatchObject({ status: 'degraded' });

    expect(await old.migrate()).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBe(3);
    const [a, b] = (await old.claim({ owner: 'w', limit: 2, now, leaseMs: 30_000 })).map((c) => c.dispatch);
    const receipt = { segments: 2 };
    await old.complete('w', [{ dispatchId: a!.id, status: 'sent', providerMessageId: 'pm-1', receipt }], now);
    expect(await old.getDispatch(b!.id)).toMatchObject({ status: 'processing', providerMessageId: null });
    expect(await old.findDispatchByProviderId('test', 'pm-1')).toMatchObject({ id: a!.id, receipt });
    expect(
      await old.addFeedback({
        dispatchId: a!.id,
        kind: 'delivered',
        bounce: null,
        providerCode: null,
        detail: null,
        eventId: 'e',
        at: now,
      }),
    ).toBe(true);
    // Version 1's suppression is a messenger's own (medium ''); a medium-wide one sits beside it.
    const everywhere = { messageType: '*', messenger: '*', medium: 'sms', address: 'gone@x.test' };
    expect(await old.addSuppression(everywhere)).toBe(true);
    expect(
      await old.findSuppressed('plain', [{ messenger: 'test', address: 'gone@x.test' }], { test: 'sms' }),
    ).toEqual([{ messageType: 'plain', messenger: 'test', address: 'gone@x.test' }]);
    expect(await old.removeSuppressions({ messenger: 'test', address: 'gone@x.test' })).toBe(1);
    expect(
      await old.findSuppressed('news', [{ messenger: 'test', address: 'gone@x.test' }], { test: 'sms' }),
    ).toEqual([everywhere]);
    expect(await old.migrate()).toBe(SCHEMA_VERSION);
    expect(await old.healthCheck()).toEqual({
      status: 'healthy',
      detail: `schema version ${SCHEMA_VERSION}`,
    });
  });

  it('keeps two prefixes in one schema apart', async () => {
    const { stores, schema } = await openStores(1, { label: 'prefix' });
    const other = new PostgresStore({ connectionString: pgUrl() }, { schema, tablePrefix: 'other_' });
    onTestFinished(() => other.close());
    await other.init();
    await stores[0]!.schedule({ message, dispatches: recipients(3), now: new Date() });
    expect((await other.countDispatches()).pending).toBe(0);
    expect((await stores[0]!.countDispatches()).pending).toBe(3);
  });

  it('reports an unmigrated schema as unhealthy and a failed query as a StoreError', async () => {
    const store = new PostgresStore({ connectionString: pgUrl() }, { schema: uniqueSchema('none') });
    onTestFinished(() => store.close());
    const health = await store.healthCheck();
    expect(health.status).toBe('unhealthy');
    const failure = await store.countDispatches().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StoreError);
    expect(String(failure)).toMatch(
      /^StoreError: \[sitemsg\] \[postgres\] countDispatches failed: .*does not exist/,
    );
  });

  it('never closes a pool the application passed in, and ends the one it created', async () => {
    const pool = appPool();
    const schema = uniqueSchema('pool');
    onTestFinished(() => dropSchema(pgUrl(), schema));
    const borrowed = new PostgresStore({ pool }, { schema });
    await borrowed.init();
    await borrowed.close();
    expect((await pool.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);

    const owning = new PostgresStore({ connectionString: pgUrl() }, { schema });
    await owning.init();
    await owning.close();
    await owning.close();
    expect(owning.pool.ended).toBe(true);
  });
});
