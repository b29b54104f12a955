import { ValidationError } from '@sitemsg/core/plugin';
import { describe, expect, it } from 'vitest';
import type { ClaimFilters } from '../src/index.js';
import { openStores } from './support/stores.js';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

const ROWS = 60_000;

/**
 * Fills the dispatch table straight in SQL: 60,000 rows over 600 messages, the oldest `waiting`
 * of them retries waiting for their back-off, the newest `queued` claimable, the rest sent. Then
 * ANALYZE, and the plan nodes of the claim statement (executed too with `analyze`).
 */
async function planClaim(
  counts: { queued: number; waiting?: number },
  filters: ClaimFilters,
  analyze = false,
): Promise<PlanNode[]> {
  const { stores, schema } = await openStores(1, { label: 'plan' });
  const pool = stores[0]!.pool;
  const t = (name: string): string => `"${schema}".sitemsg_${name}`;
  await pool.query(
    `INSERT INTO ${t('messages')} (type, context, priority, dispatches_ready, created_at)
     SELECT 'plain', '{}'::jsonb, g % 3, true, now() FROM generate_series(1, 600) g`,
  );
  await pool.query(
    `INSERT INTO ${t('dispatches')}
       (message_id, messenger, address, priority, message_type, status, queued, due_at, created_at)
     SELECT 1 + (g % 600), 'test', 'r' || g || '@x.test', (1 + g % 600) % 3, 'plain',
       CASE WHEN g > $1 - $2 THEN 'pending' WHEN g <= $3 THEN 'error' ELSE 'sent' END,
       g > $1 - $2, CASE WHEN g <= $3 THEN now() + interval '1 hour' END, now()
     FROM generate_series(1, $1) g`,
    [ROWS, counts.queued, counts.waiting ?? 0],
  );
  await pool.query(`ANALYZE ${t('messages')}`);
  await pool.query(`ANALYZE ${t('dispatches')}`);
  // What users run on their own data: the store's own statement.
  const statement = stores[0]!.claimStatement(filters);
  const { rows } = await pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
    `EXPLAIN (FORMAT JSON${analyze ? ', ANALYZE' : ''}) ${statement.text}`,
    statement.values,
  );
  return nodes(rows[0]!['QUERY PLAN'][0].Plan);
}

function onDispatches(plan: PlanNode[]): PlanNode[] {
  return plan.filter((n) => n['Relation Name'] === 'sitemsg_dispatches');
}

function expectIndexOnly(plan: PlanNode[]): void {
  expect(onDispatches(plan).map((n) => n['Node Type'])).not.toContain('Seq Scan');
  expect(onDispatches(plan).map((n) => n['Index Name'])).toContain('sitemsg_dispatches_claimable');
}

describe('the claim statement plan', () => {
  it('walks the partial index of queued rows when most rows are done', async () => {
    expectIndexOnly(await planClaim({ queued: 1_000 }, {}));
  });

  it('walks the partial index on a backlog where every row is claimable', async () => {
    expectIndexOnly(await planClaim({ queued: ROWS }, {}));
  });

  it('still uses the index with the priority and messenger filters', async () => {
    expectIndexOnly(
      await planClaim({ queued: 5_000 }, { priority: 2, messengers: ['test'], messageTypes: ['plain'] }),
    );
  });

  it('never walks past rows waiting for a retry: they are not in the claim index', async () => {
    const plan = await planClaim({ queued: 1_000, waiting: 20_000 }, {}, true);
    const claimScan = onDispatches(plan).find((n) => n['Index Name'] === 'sitemsg_dispatches_claimable');
    expect(claimScan).toMatchObject({ 'Actual Rows': 100 });
    expect(claimScan?.['Rows Removed by Filter'] ?? 0).toBe(0);
    // The guard looks for due waiting rows through their own index, by time.
    expect(onDispatches(plan).map((n) => n['Index Name'])).toContain('sitemsg_dispatches_waiting');
  });

  it('is given for EXPLAIN only for filters it can run: bad ones are a ValidationError at the call', async () => {
    const { stores } = await openStores(1, { label: 'explain' });
    const store = stores[0]!;
    for (const bad of [{ limit: 0 }, { limit: 2.5 }, { priority: Number.NaN }]) {
      expect(() => store.claimStatement(bad)).toThrow(/limit and priority must be integers/);
    }
    const notTexts = { messengers: 'smtp' as unknown as string[] };
    expect(() => store.claimStatement(notTexts)).toThrow(ValidationError);
    expect(store.claimStatement({ limit: 7, messengers: ['smtp'] }).text).toMatch(/LIMIT 7\)\)/);
  });
});
