import { createSitemsg } from '@sitemsg/core';
import { type JsonObject, ValidationError } from '@sitemsg/core/plugin';
import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { PostgresStore } from '../src/index.js';
import { ListMessenger } from './support/messenger.js';
import { message, openStores, recipients } from './support/stores.js';

/** An application pool and an orders table of its own in the test schema. */
async function application(url: string, schema: string): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: url, max: 3 });
  onTestFinished(() => pool.end());
  await pool.query(`CREATE TABLE "${schema}".orders (id integer PRIMARY KEY)`);
  return pool;
}

async function counts(
  pool: pg.Pool,
  schema: string,
): Promise<{ orders: number; messages: number; dispatches: number }> {
  const { rows } = await pool.query(
    `SELECT (SELECT count(*)::int FROM "${schema}".orders) AS orders,
            (SELECT count(*)::int FROM "${schema}".sitemsg_messages) AS messages,
            (SELECT count(*)::int FROM "${schema}".sitemsg_dispatches) AS dispatches`,
  );
  return rows[0];
}

describe('transactional outbox', () => {
  it('schedules a message if and only if the application transaction commits', async () => {
    const { stores, schema, url } = await openStores(2, { label: 'outbox' });
    const [store, worker] = stores as [PostgresStore, PostgresStore];
    const pool = await application(url, schema);
    const client = await pool.connect();
    onTestFinished(() => client.release());

    await client.query('BEGIN');
    await client.query(`INSERT INTO "${schema}".orders VALUES (1)`);
    await store.schedule({ message, dispatches: recipients(2), now: new Date() }, { client });
    await client.query('ROLLBACK');
    expect(await counts(pool, schema)).toEqual({ orders: 0, messages: 0, dispatches: 0 });

    // The first wait returns once LISTEN is connected; the next one only on a NOTIFY.
    await worker.waitForWork(600_000, new AbortController().signal);
    await client.query('BEGIN');
    await client.query(`INSERT INTO "${schema}".orders VALUES (2)`);
    const result = await store.schedule({ message, dispatches: recipients(2), now: new Date() }, { client });
    expect(await worker.claim({ owner: 'w', limit: 10, now: new Date(), leaseMs: 30_000 })).toEqual([]);
    const woken = worker.waitForWork(600_000, new AbortController().signal);
    await client.query('COMMIT');
    await woken;
    expect(await counts(pool, schema)).toEqual({ orders: 1, messages: 1, dispatches: 2 });
    const claimed = await worker.claim({ owner: 'w', limit: 10, now: new Date(), leaseMs: 30_000 });
    expect(claimed.map((c) => c.dispatch.id)).toEqual(result.dispatches.map((d) => d.id));
  });

  it('goes through the engine: scheduleMessages(..., { client })', async () => {
    const { stores, schema, url } = await openStores(1, { label: 'outbox_engine' });
    const sitemsg = createSitemsg({ store: stores[0]!, messengers: [new ListMessenger()] });
    const pool = await application(url, schema);
    const client = await pool.connect();
    onTestFinished(() => client.release());
    const to = sitemsg.recipients('test', ['a@x.test', 'b@x.test']);

    await client.query('BEGIN');
    await client.query(`INSERT INTO "${schema}".orders VALUES (1)`);
    await sitemsg.scheduleMessages('your order shipped', to, { client });
    await client.query('ROLLBACK');
    expect(await counts(pool, schema)).toEqual({ orders: 0, messages: 0, dispatches: 0 });

    await client.query('BEGIN');
    await client.query(`INSERT INTO "${schema}".orders VALUES (1)`);
    await sitemsg.scheduleMessages('your order shipped', to, { client });
    await client.query('COMMIT');
    expect(await counts(pool, schema)).toEqual({ orders: 1, messages: 1, dispatches: 2 });
  });

  it('groups under a savepoint, leaving the application transaction usable when grouping fails', async () => {
    const { stores, schema, url } = await openStores(1, { label: 'outbox_group' });
    const store = stores[0]!;
    const pool = await application(url, schema);
    const client = await pool.connect();
    onTestFinished(() => client.release());
    const grouped = { ...message, groupMark: 'comments' };
    const merge = (existing: JsonObject): JsonObject => ({ text: `${String(existing.text)}\nmore` });

    await client.query('BEGIN');
    const first = await store.schedule(
      { message: grouped, dispatches: recipients(1), merge, now: new Date() },
      { client },
    );
    const refuse = (): JsonObject => {
      throw new ValidationError('cannot merge');
    };
    await expect(
      store.schedule(
        { message: grouped, dispatches: recipients(2), merge: refuse, now: new Date() },
        { client },
      ),
    ).rejects.toThrow('cannot merge');
    const second = await store.schedule(
      { message: grouped, dispatches: recipients(2), merge, now: new Date() },
      { client },
    );
    await client.query(`INSERT INTO "${schema}".orders VALUES (1)`);
    await client.query('COMMIT');

    expect(second.outcome).toBe('grouped');
    expect(second.message.id).toBe(first.message.id);
    expect((await store.getMessage(first.message.id))?.context).toEqual({ text: 'hello\nmore' });
    expect(await counts(pool, schema)).toEqual({ orders: 1, messages: 1, dispatches: 2 });
  });

  it('runs grouping in a transaction of its own on a client outside any transaction', async () => {
    const { stores, schema, url } = await openStores(1, { label: 'outbox_auto' });
    const pool = await application(url, schema);
    const client = await pool.connect();
    onTestFinished(() => client.release());
    const grouped = { ...message, groupMark: 'g' };
    const merge = (existing: JsonObject): JsonObject => existing;
    await stores[0]!.schedule(
      { message: grouped, dispatches: recipients(1), merge, now: new Date() },
      { client },
    );
    const again = await stores[0]!.schedule(
      { message: grouped, dispatches: recipients(3), merge, now: new Date() },
      { client },
    );
    expect(again.outcome).toBe('grouped');
    expect(again.dispatches).toHaveLength(2);
    expect(await counts(pool, schema)).toMatchObject({ messages: 1, dispatches: 3 });
  });

  it('refuses a client that is not a pg client', async () => {
    const { stores } = await openStores(1, { label: 'outbox_bad' });
    await expect(
      stores[0]!.schedule({ message, dispatches: recipients(1), now: new Date() }, { client: {} }),
    ).rejects.toThrow(/options.client must be a pg client/);
  });
});
