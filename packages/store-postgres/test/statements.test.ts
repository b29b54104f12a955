import { ConfigurationError, type JsonObject } from '@sitemsg/core/plugin';
import { describe, expect, it, onTestFinished } from 'vitest';
import { claimStatement } from '../src/claim.js';
import { PostgresStore, type PostgresStoreOptions } from '../src/index.js';
import { buildNames } from '../src/names.js';
import { resolveStoreOptions } from '../src/options.js';
import { dropSchema, pgUrl, uniqueSchema } from './support/schema.js';
import { message, openStores, recipients } from './support/stores.js';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

const nodes = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)];

/** A store on a pool of one connection, so that what it prepared is visible to the next query. */
async function oneConnectionStore(options: PostgresStoreOptions = {}): Promise<PostgresStore> {
  const url = pgUrl();
  const schema = uniqueSchema('prepared');
  const store = new PostgresStore(
    { connectionString: url, poolConfig: { max: 1 } },
    { schema, listen: false, ...options },
  );
  onTestFinished(async () => {
    await store.close();
    await dropSchema(url, schema);
  });
  await store.init();
  return store;
}

async function preparedCount(store: PostgresStore): Promise<number> {
  const { rows } = await store.pool.query<{ count: number }>(
    'SELECT count(*)::integer AS count FROM pg_prepared_statements',
  );
  return rows[0]!.count;
}

describe('prepared statements', () => {
  it('runs the claim, completion and scheduling statements prepared, once per connection', async () => {
    const store = await oneConnectionStore();
    const now = new Date();
    for (let i = 0; i < 3; i++) {
      const { dispatches } = await store.schedule({ message, dispatches: recipients(3, `m${i}`), now });
      const claimed = await store.claim({ owner: 'w', limit: 10, now, leaseMs: 30_000 });
      expect(claimed.map((c) => c.dispatch.id)).toEqual(dispatches.map((d) => d.id));
      const outcomes = claimed.map((c) => ({ dispatchId: c.dispatch.id, status: 'sent' as const }));
      expect(await store.complete('w', outcomes, now)).toBe(3);
    }
    // schedule, claim, complete: one prepared statement each, however often they ran.
    expect(await preparedCount(store)).toBe(3);
  });

  it('prepares nothing with preparedStatements: false, and refuses a value that is not a boolean', async () => {
    const store = await oneConnectionStore({ preparedStatements: false });
    const now = new Date();
    await store.schedule({ message, dispatches: recipients(2), now });
    expect(await store.claim({ owner: 'w', limit: 10, now, leaseMs: 30_000 })).toHaveLength(2);
    expect(await preparedCount(store)).toBe(0);
    expect(
      () =>
        new PostgresStore(
          { connectionString: 'postgres://x@127.0.0.1/x' },
          { preparedStatements: 'no' as unknown as boolean },
        ),
    ).toThrow(ConfigurationError);
  });

  it('keeps the claim on its indexes under a generic plan, whatever the parameters', async () => {
    const { stores, schema } = await openStores(1, { label: 'generic' });
    const pool = stores[0]!.pool;
    const t = (name: string): string => `"${schema}".sitemsg_${name}`;
    // Mostly sent rows (queued false, due_at NULL): a guess of "a third are due" would favour a scan.
    await pool.query(
      `INSERT INTO ${t('dispatches')} (message_id, messenger, address, priority, message_type, status, queued, created_at)
       SELECT 1, 'test', 'r' || g || '@x.test', g % 3, 'plain', CASE WHEN g > 59000 THEN 'pending' ELSE 'sent' END,
         g > 59000, now()
       FROM generate_series(1, 60000) g`,
    );
    await pool.query(`ANALYZE ${t('dispatches')}`);
    const names = buildNames(resolveStoreOptions({ schema }));
    const client = await pool.connect();
    onTestFinished(() => client.release());
    await client.query('SET plan_cache_mode = force_generic_plan');
    for (const [i, filters] of [
      {},
      { priority: 2, messengers: ['test'], messageTypes: ['plain'] },
    ].entries()) {
      const now = new Date();
      const statement = claimStatement(names, { owner: 'w', now, until: now, limit: 100 }, filters, true);
      const types = ['text', 'timestamptz', 'timestamptz', 'integer', 'text[]', 'text[]'];
      await client.query(
        `PREPARE claim_${i} (${types.slice(0, statement.values.length).join(', ')}) AS ${statement.text}`,
      );
      const args = ["'w'", 'now()', 'now()', '2', "'{test}'", "'{plain}'"].slice(0, statement.values.length);
      const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
        `EXPLAIN (FORMAT JSON) EXECUTE claim_${i} (${args.join(', ')})`,
      );
      const plan = nodes(rows[0]!['QUERY PLAN'][0].Plan).filter(
        (n) => n['Relation Name'] === 'sitemsg_dispatches',
      );
      expect(plan.map((n) => n['Node Type'])).not.toContain('Seq Scan');
      expect(plan.map((n) => n['Index Name'])).toEqual(
        expect.arrayContaining(['sitemsg_dispatches_claimable', 'sitemsg_dispatches_waiting']),
      );
    }
  });
});

describe('dispatch ids read back from a bulk insert', () => {
  it('are right when the identity does not hand out one run of ids', async () => {
    const { stores, schema } = await openStores(1, { label: 'ids' });
    const store = stores[0]!;
    // Every other id: what a concurrent insert in another session would leave.
    await store.pool.query(`ALTER TABLE "${schema}".sitemsg_dispatches ALTER COLUMN id SET INCREMENT BY 2`);
    const now = new Date();
    const plain = await store.schedule({ message, dispatches: recipients(4, 'p'), now });
    const grouped = { ...message, groupMark: 'g' };
    const merge = (context: JsonObject): JsonObject => context;
    await store.schedule({ message: grouped, dispatches: recipients(1, 'g'), merge, now });
    const joined = await store.schedule({ message: grouped, dispatches: recipients(3, 'g'), merge, now });
    const postponed = await store.schedule({
      message: { ...message, dispatchesReady: false },
      dispatches: [],
      now,
    });
    const added = await store.addDispatches(postponed.message.id, recipients(3, 'a'), now);
    for (const created of [plain.dispatches, joined.dispatches, added]) {
      expect(created.length).toBeGreaterThan(0);
      for (const d of created) {
        expect(await store.getDispatch(d.id)).toMatchObject({ id: d.id, address: d.address });
      }
    }
    expect(joined.dispatches.map((d) => d.address)).toEqual(['g1@x.test', 'g2@x.test']);
  });
});

describe('claim commits', () => {
  /** Claims on a one-connection store, returning the statements the claim ran and the session setting after. */
  async function claimOnce(options: PostgresStoreOptions) {
    const store = await oneConnectionStore(options);
    const now = new Date();
    await store.schedule({ message, dispatches: recipients(2), now });
    const texts: string[] = [];
    const query = store.pool.query.bind(store.pool);
    store.pool.query = ((config: { text?: string }, ...rest: unknown[]) => {
      if (typeof config === 'object' && config?.text) texts.push(config.text);
      return (query as (...a: unknown[]) => unknown)(config, ...rest);
    }) as typeof query;
    expect(await store.claim({ owner: 'w', limit: 10, now, leaseMs: 30_000 })).toHaveLength(2);
    const { rows } = await query<{ synchronous_commit: string }>('SHOW synchronous_commit');
    return { claimText: texts.join('\n'), sessionSetting: rows[0]!.synchronous_commit };
  }

  it('do not wait for the disk flush by default, for the claim alone: the session keeps synchronous_commit on', async () => {
    const { claimText, sessionSetting } = await claimOnce({});
    expect(claimText).toContain("set_config('synchronous_commit', 'off', true)");
    expect(sessionSetting).toBe('on');
  });

  it('wait for it with synchronousClaims: true, and refuse a value that is not a boolean', async () => {
    const { claimText, sessionSetting } = await claimOnce({ synchronousClaims: true });
    expect(claimText).toMatch(/UPDATE/);
    expect(claimText).not.toContain('synchronous_commit');
    expect(sessionSetting).toBe('on');
    expect(
      () =>
        new PostgresStore(
          { connectionString: 'postgres://x@127.0.0.1/x' },
          { synchronousClaims: 1 as unknown as boolean },
        ),
    ).toThrow(/synchronousClaims must be true or false/);
  });
});
