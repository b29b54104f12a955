import { StoreError } from '@sitemsg/core';
import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import { PostgresStore, SCHEMA_VERSION } from '../src/index.js';
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
    expect(rows).toEqual([{ version: 1 }]);
    expect(await stores[1]!.healthCheck()).toEqual({
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
