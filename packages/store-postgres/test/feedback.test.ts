// Delivery feedback on PostgreSQL beyond the store suite: the provider-id lookup's index, feedback
// for a dispatch the store does not hold, and cleanup taking a dispatch's feedback with it.
import { type FeedbackRecord, ValidationError } from '@sitemsg/core/plugin';
import { describe, expect, it } from 'vitest';
import { findByProviderIdSql } from '../src/feedback.js';
import { buildNames } from '../src/names.js';
import { resolveStoreOptions } from '../src/options.js';
import { removeSuppressionsSql } from '../src/suppressions.js';
import { type Backend, backends } from './support/backends.js';
import { message, openStores, recipients } from './support/stores.js';

const T = new Date('2026-01-01T00:00:00Z');

function record(dispatchId: string, eventId: string | null = null): FeedbackRecord {
  return { dispatchId, kind: 'bounced', bounce: 'hard', providerCode: '550', detail: null, eventId, at: T };
}

/** A Message-ID as SMTP gives it, with what an array literal must escape (the ids travel as one). */
const AWKWARD_ID = '<"NULL", {a\\b}@mx.test>';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}
const nodes = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)];

describe.each(backends)('delivery feedback on $name', (backend: Backend) => {
  it('refuses feedback for a dispatch it does not hold with a ValidationError UNKNOWN_DISPATCH, and writes nothing', async () => {
    const {
      stores: [store],
      schema,
    } = await backend.open(1, 'fb_unknown');
    for (const id of ['987654321', 'not-an-id', '0', '']) {
      const refused = await store!.addFeedback(record(id)).catch((e: unknown) => e);
      expect(ValidationError.isInstance(refused), id).toBe(true);
      expect(refused).toMatchObject({ code: 'UNKNOWN_DISPATCH' });
    }
    expect(
      (await store!.pool.query(`SELECT count(*)::int AS n FROM "${schema}".sitemsg_feedback`)).rows,
    ).toEqual([{ n: 0 }]);
  });

  it('cleanup deletes a sent dispatch’s feedback with it, and keeps the feedback of those it keeps', async () => {
    const {
      stores: [store],
    } = await backend.open(1, 'fb_cleanup');
    const { dispatches } = await store!.schedule({ message, dispatches: recipients(2), now: T });
    const [sent, waiting] = dispatches as unknown as [{ id: string }, { id: string }];
    await store!.claim({ owner: 'w', limit: 1, now: T, leaseMs: 30_000 });
    expect(
      await store!.complete('w', [{ dispatchId: sent.id, status: 'sent', providerMessageId: 'pm-1' }], T),
    ).toBe(1);
    expect(await store!.addFeedback(record(sent.id, 'ev-1'))).toBe(true);
    expect(await store!.addFeedback(record(waiting.id, 'ev-1'))).toBe(true);
    expect(await store!.cleanup({ before: null, dispatchesOnly: true })).toEqual({
      dispatches: 1,
      messages: 0,
    });
    expect(await store!.listFeedback(sent.id)).toEqual([]);
    expect(await store!.findDispatchByProviderId('test', 'pm-1')).toBeNull();
    expect(await store!.listFeedback(waiting.id)).toEqual([record(waiting.id, 'ev-1')]);
  });

  it('answers the dispatch sent last when a provider reuses its id, and keeps ids per messenger', async () => {
    const {
      stores: [store],
    } = await backend.open(1, 'fb_reused');
    const { dispatches } = await store!.schedule({ message, dispatches: recipients(2), now: T });
    const [first, second] = dispatches as unknown as [{ id: string }, { id: string }];
    const later = new Date(T.getTime() + 1000);
    await store!.claim({ owner: 'w', limit: 2, now: T, leaseMs: 30_000 });
    await store!.complete('w', [{ dispatchId: second.id, status: 'sent', providerMessageId: 'batch-1' }], T);
    await store!.complete(
      'w',
      [{ dispatchId: first.id, status: 'sent', providerMessageId: 'batch-1' }],
      later,
    );
    expect((await store!.findDispatchByProviderId('test', 'batch-1'))?.id).toBe(first.id);
    expect(await store!.findDispatchByProviderId('other', 'batch-1')).toBeNull();
    expect(await store!.findDispatchByProviderId('test', 'no\u0000such')).toBeNull();
  });

  it('writes provider ids of a mixed batch in the completion’s one transaction, as given', async () => {
    const {
      stores: [store],
    } = await backend.open(1, 'fb_mixed');
    const { dispatches } = await store!.schedule({ message, dispatches: recipients(3), now: T });
    const [a, b, c] = dispatches.map((d) => d.id) as [string, string, string];
    await store!.claim({ owner: 'w', limit: 3, now: T, leaseMs: 30_000 });
    const written = await store!.complete(
      'w',
      [
        { dispatchId: a, status: 'sent', providerMessageId: AWKWARD_ID },
        { dispatchId: b, status: 'error', error: '421', nextAttemptAt: new Date(T.getTime() + 60_000) },
        { dispatchId: c, status: 'sent' },
      ],
      T,
    );
    expect(written).toBe(3);
    expect((await store!.findDispatchByProviderId('test', AWKWARD_ID))?.id).toBe(a);
    const byId = new Map((await store!.listDispatches({})).map((d) => [d.id, d]));
    expect([a, b, c].map((id) => [byId.get(id)?.status, byId.get(id)?.providerMessageId])).toEqual([
      ['sent', AWKWARD_ID],
      ['error', null],
      ['sent', null],
    ]);
  });
});

describe('feedback indexes on PostgreSQL', () => {
  it('finds a dispatch by provider id through the partial index, and lifts an address’s suppressions through its own', async () => {
    const { stores, schema } = await openStores(1, { label: 'fb_plan' });
    const pool = stores[0]!.pool;
    const t = (name: string): string => `"${schema}".sitemsg_${name}`;
    await pool.query(
      `INSERT INTO ${t('messages')} (type, context, priority, dispatches_ready, created_at)
       VALUES ('plain', '{}'::jsonb, 0, true, now())`,
    );
    // 50,000 dispatches, a fifth of them sent with a provider id, on two messengers.
    await pool.query(
      `INSERT INTO ${t('dispatches')} (message_id, messenger, address, priority, message_type, status,
         queued, created_at, dispatched_at, provider_message_id)
       SELECT 1, CASE WHEN g % 2 = 0 THEN 'test' ELSE 'other' END, 'r' || g || '@x.test', 0, 'plain',
         CASE WHEN g % 5 = 0 THEN 'sent' ELSE 'pending' END, g % 5 <> 0, now(),
         CASE WHEN g % 5 = 0 THEN now() END, CASE WHEN g % 5 = 0 THEN 'pm-' || g END
       FROM generate_series(1, 50000) g`,
    );
    await pool.query(
      `INSERT INTO ${t('suppressions')} (message_type, messenger, address)
       SELECT t, 'test', 'r' || g || '@x.test' FROM generate_series(1, 5000) g, unnest(ARRAY['*', 'plain', 'digest']) t`,
    );
    await pool.query(`ANALYZE ${t('dispatches')}`);
    await pool.query(`ANALYZE ${t('suppressions')}`);
    const plan = async (sql: string, values: unknown[]): Promise<PlanNode[]> => {
      const { rows } = await pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
        `EXPLAIN (FORMAT JSON) ${sql}`,
        values,
      );
      return nodes(rows[0]!['QUERY PLAN'][0].Plan);
    };
    const names = buildNames(resolveStoreOptions({ schema }));
    const lookup = await plan(findByProviderIdSql(names), ['test', 'pm-100']);
    expect(lookup.map((n) => n['Index Name']).filter(Boolean)).toEqual([
      'sitemsg_dispatches_provider_message',
    ]);
    expect(lookup.some((n) => n['Node Type'] === 'Seq Scan')).toBe(false);
    const lift = await plan(removeSuppressionsSql(names), ['test', 'r7@x.test', null, null]);
    expect(lift.map((n) => n['Index Name']).filter(Boolean)).toEqual(['sitemsg_suppressions_address']);
    // The rows are found where the plan says.
    expect((await stores[0]!.findDispatchByProviderId('test', 'pm-100'))?.address).toBe('r100@x.test');
    expect(await stores[0]!.removeSuppressions({ messenger: 'test', address: 'r7@x.test' })).toBe(3);
  });
});
