import { describe, expect, it, onTestFinished } from 'vitest';
import { claimStatement } from '../src/claim.js';
import { buildNames } from '../src/names.js';
import { resolveStoreOptions } from '../src/options.js';
import { message, openStores, recipients } from './support/stores.js';

describe('a claim leases rows in place', () => {
  it('writes each claimed version beside the old one (HOT): no index entry per claimed row', async () => {
    const { stores, schema } = await openStores(1, { label: 'hot' });
    const store = stores[0]!;
    const now = new Date();
    await store.schedule({ message, dispatches: recipients(1000, 'a-rather-long-local-part-'), now });
    const names = buildNames(resolveStoreOptions({ schema }));
    const until = new Date(now.getTime() + 30_000);
    const claim = claimStatement(
      names,
      { owner: 'ip-10-0-1-23.internal:4242:k3x9q1', now, until, limit: 100 },
      {},
      true,
    );
    const client = await store.pool.connect();
    onTestFinished(() => client.release());
    // The transaction's own counters: read before it ends, they are exact and private to it.
    await client.query('BEGIN');
    const claimed = await client.query(claim.text, claim.values);
    const { rows } = await client.query<{ updated: number; hot: number }>(
      `SELECT pg_stat_get_xact_tuples_updated(oid)::integer AS updated,
         pg_stat_get_xact_tuples_hot_updated(oid)::integer AS hot
       FROM pg_class WHERE oid = $1::regclass`,
      [names.dispatches],
    );
    await client.query('ROLLBACK');
    expect(claimed.rowCount).toBe(100);
    expect(rows[0]).toEqual({ updated: 100, hot: 100 });
  });

  it('skips rows whose lease lives and takes back, in order, those whose lease expired', async () => {
    const { stores } = await openStores(2, { label: 'skip' });
    const start = Date.now();
    const { dispatches } = await stores[0]!.schedule({
      message,
      dispatches: recipients(6),
      now: new Date(start),
    });
    const idsOf = (...indexes: number[]): string[] => indexes.map((i) => dispatches[i]!.id);
    const claim = async (store: number, owner: string, afterMs: number, limit: number) => {
      const at = new Date(start + afterMs);
      return stores[store]!.claim({ owner, limit, now: at, leaseMs: 30_000 });
    };
    expect((await claim(0, 'a', 0, 2)).map((c) => c.dispatch.id)).toEqual(idsOf(0, 1));
    expect((await claim(1, 'b', 20_000, 2)).map((c) => c.dispatch.id)).toEqual(idsOf(2, 3));
    // a's lease has expired, b's lives: c gets a's rows first (lower ids), then the last free ones.
    const retaken = await claim(1, 'c', 31_000, 10);
    expect(retaken.map((c) => [c.dispatch.id, c.dispatch.attempts])).toEqual([
      [dispatches[0]!.id, 2],
      [dispatches[1]!.id, 2],
      [dispatches[4]!.id, 1],
      [dispatches[5]!.id, 1],
    ]);
    const sent = [{ dispatchId: dispatches[0]!.id, status: 'sent' as const }];
    expect(await stores[0]!.complete('a', sent, new Date(start + 31_000))).toBe(0);
    expect(await stores[0]!.complete('c', sent, new Date(start + 31_000))).toBe(1);
  });
});
