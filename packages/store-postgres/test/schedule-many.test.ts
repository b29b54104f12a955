import type { NewDispatch, ScheduleRequest } from '@sitemsg/core/plugin';
import { StoreError } from '@sitemsg/core/plugin';
import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { PostgresStore } from '../src/index.js';
import { buildNames } from '../src/names.js';
import { resolveStoreOptions } from '../src/options.js';
import { PgliteStore } from '../src/pglite.js';
import { message, openStores } from './support/stores.js';

// scheduleMany's atomicity where the suite cannot reach: the DATABASE refuses message 2 of 3
// (a trigger or a CHECK constraint in the test's own schema), so messages 1 and 3 are well-formed
// rows that only the transaction (or the savepoint on the application's client) keeps out.

const to = (...addresses: string[]): NewDispatch[] =>
  addresses.map((address) => ({ messenger: 'test', address, userId: null }));

const request = (type: string, dispatches: NewDispatch[]): ScheduleRequest => ({
  message: { ...message, type, context: { text: type } },
  dispatches,
  now: new Date(),
});

/** Messages 1 and 3 are fine; message 2 is refused by the database (type "refused", address on refused.test). */
const threeWithTheSecondRefused = (): ScheduleRequest[] => [
  request('first', to('a@x.test', 'b@x.test')),
  request('refused', to('c@refused.test')),
  request('third', to('d@x.test')),
];

/** A trigger in the test's schema that raises for one message type, as an application's rule might. */
async function refuseTypeByTrigger(on: pg.Pool, schema: string): Promise<void> {
  await on.query(`CREATE FUNCTION "${schema}".refuse_type() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.type = 'refused' THEN RAISE EXCEPTION 'type % is refused by this database', NEW.type; END IF;
  RETURN NEW;
END $$`);
  await on.query(
    `CREATE TRIGGER refuse_type BEFORE INSERT ON "${schema}".sitemsg_messages FOR EACH ROW EXECUTE FUNCTION "${schema}".refuse_type()`,
  );
}

async function rows(on: pg.Pool, schema: string): Promise<{ messages: string[]; dispatches: string[] }> {
  const m = await on.query<{ type: string }>(`SELECT type FROM "${schema}".sitemsg_messages ORDER BY id`);
  const d = await on.query<{ address: string }>(
    `SELECT address FROM "${schema}".sitemsg_dispatches ORDER BY id`,
  );
  return { messages: m.rows.map((r) => r.type), dispatches: d.rows.map((r) => r.address) };
}

/** A LISTEN connection on the store's channel that records every notification's payload. */
async function listen(url: string, schema: string): Promise<{ payloads: string[]; marker(): Promise<void> }> {
  const channel = buildNames(resolveStoreOptions({ schema })).channel;
  const listener = new pg.Client({ connectionString: url });
  await listener.connect();
  onTestFinished(() => listener.end());
  const payloads: string[] = [];
  let seen: (payload: string) => void = () => undefined;
  listener.on('notification', (n) => {
    payloads.push(n.payload ?? '');
    seen(n.payload ?? '');
  });
  await listener.query(`LISTEN "${channel}"`);
  return {
    payloads,
    // Notifications arrive in commit order: once a marker sent afterwards has arrived, any
    // notification of an earlier commit has arrived before it.
    marker: () =>
      new Promise<void>((resolve, reject) => {
        seen = (payload) => {
          if (payload === 'marker') resolve();
        };
        listener.query('SELECT pg_notify($1, $2)', [channel, 'marker']).catch(reject);
      }),
  };
}

function expectMessage2Of3(error: unknown, refusal: RegExp): void {
  expect(error).toBeInstanceOf(StoreError);
  const text = (error as Error).message;
  expect(text).toMatch(
    /^\[sitemsg\] \[postgres\] message 2 of 3 \(type "refused"\) could not be written, so none of the 3 was: /,
  );
  expect(text).toMatch(refusal);
}

describe('scheduleMany: the database refuses message 2 of 3', () => {
  it('on the pool: no row of messages 1 and 3, no dispatch, no wake-up', async () => {
    const { stores, schema, url } = await openStores(1, { label: 'many_refused' });
    const store = stores[0]!;
    await refuseTypeByTrigger(store.pool, schema);
    const notifications = await listen(url, schema);

    const error = await store.scheduleMany(threeWithTheSecondRefused()).catch((e: unknown) => e);
    expectMessage2Of3(error, /type refused is refused by this database/);
    expect(await rows(store.pool, schema)).toEqual({ messages: [], dispatches: [] });
    await notifications.marker();
    expect(notifications.payloads).toEqual(['marker']);
    expect(await store.claim({ owner: 'w', limit: 10, now: new Date(), leaseMs: 30_000 })).toEqual([]);

    // The same three without the refused one go through, and wake listeners once at the commit.
    await store.scheduleMany([request('first', to('a@x.test')), request('third', to('d@x.test'))]);
    expect(await rows(store.pool, schema)).toEqual({
      messages: ['first', 'third'],
      dispatches: ['a@x.test', 'd@x.test'],
    });
    await notifications.marker();
    expect(notifications.payloads.filter((p) => p !== 'marker')).toHaveLength(1);
  });

  it("inside the application's transaction: rolled back to its savepoint, the transaction still usable", async () => {
    const { stores, schema, url } = await openStores(1, { label: 'many_outbox' });
    const store = stores[0]!;
    // This time a CHECK constraint on the dispatches refuses message 2's address.
    await store.pool.query(
      `ALTER TABLE "${schema}".sitemsg_dispatches ADD CONSTRAINT no_refused CHECK (address NOT LIKE '%@refused.test')`,
    );
    await store.pool.query(`CREATE TABLE "${schema}".orders (id integer PRIMARY KEY)`);
    const notifications = await listen(url, schema);
    const app = new pg.Pool({ connectionString: url, max: 2 });
    onTestFinished(() => app.end());
    const client = await app.connect();
    onTestFinished(() => client.release());

    await client.query('BEGIN');
    await client.query(`INSERT INTO "${schema}".orders VALUES (1)`);
    const error = await store.scheduleMany(threeWithTheSecondRefused(), { client }).catch((e: unknown) => e);
    expectMessage2Of3(error, /no_refused/);
    // Still in the application's transaction, which can go on and commit.
    await client.query(`INSERT INTO "${schema}".orders VALUES (2)`);
    await store.scheduleMany([request('after', to('e@x.test'))], { client });
    await client.query('COMMIT');

    const orders = await store.pool.query(`SELECT id FROM "${schema}".orders ORDER BY id`);
    expect(orders.rows.map((r) => r.id)).toEqual([1, 2]);
    expect(await rows(store.pool, schema)).toEqual({ messages: ['after'], dispatches: ['e@x.test'] });
    await notifications.marker();
    expect(notifications.payloads.filter((p) => p !== 'marker')).toHaveLength(1);
  });

  it("on the application's client outside a transaction: a transaction of its own, rolled back whole", async () => {
    const { stores, schema, url } = await openStores(1, { label: 'many_client' });
    const store = stores[0]!;
    await refuseTypeByTrigger(store.pool, schema);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    onTestFinished(() => client.end());

    const error = await store.scheduleMany(threeWithTheSecondRefused(), { client }).catch((e: unknown) => e);
    expectMessage2Of3(error, /type refused is refused by this database/);
    expect(await rows(store.pool, schema)).toEqual({ messages: [], dispatches: [] });
    expect((await client.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
  });

  it('on PGlite (PgliteStore): the same refusal, the same nothing', async () => {
    const store = new PgliteStore({ schema: 'many' });
    onTestFinished(() => store.close());
    await store.init();
    await refuseTypeByTrigger(store.pool, 'many');

    const error = await (store as PostgresStore)
      .scheduleMany(threeWithTheSecondRefused())
      .catch((e: unknown) => e);
    expectMessage2Of3(error, /type refused is refused by this database/);
    expect(await rows(store.pool, 'many')).toEqual({ messages: [], dispatches: [] });
    const results = await store.scheduleMany([
      request('first', to('a@x.test')),
      request('third', to('d@x.test')),
    ]);
    expect(results.map((r) => r.outcome)).toEqual(['created', 'created']);
    expect(await rows(store.pool, 'many')).toEqual({
      messages: ['first', 'third'],
      dispatches: ['a@x.test', 'd@x.test'],
    });
  });
});
