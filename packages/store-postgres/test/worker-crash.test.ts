import { describe, expect, it } from 'vitest';
import { openStores } from './support/stores.js';
import {
  createSendsTable,
  scheduleDispatches,
  startWorker,
  summariseSends,
  waitFor,
} from './support/workers.js';

const DISPATCHES = 3_000;
const LEASE_MS = 2_000;

describe('a worker killed in the middle of a batch', () => {
  it('leaves its dispatches to the others after the lease; each sent at most twice with the same id', async () => {
    const { stores, schema, url } = await openStores(1, { label: 'crash' });
    const store = stores[0]!;
    await createSendsTable(url, schema);
    await scheduleDispatches(store, DISPATCHES);

    const victim = startWorker({
      url,
      schema,
      workerId: 'victim',
      leaseMs: LEASE_MS,
      batchSize: 100,
      holdFirstBatch: true,
    });
    await waitFor('the victim to hold a sent batch', () => victim.held !== null);
    victim.child.kill('SIGKILL');
    const held = victim.held ?? [];
    expect(held).toHaveLength(100);

    const others = [0, 1].map((i) =>
      startWorker({ url, schema, workerId: `survivor-${i}`, leaseMs: LEASE_MS, batchSize: 100 }),
    );
    await waitFor('every dispatch sent', async () => (await store.countDispatches()).sent === DISPATCHES);
    await Promise.all(others.map((w) => w.stop()));

    const sends = await summariseSends(store.pool, schema);
    expect(sends.distinct).toBe(DISPATCHES);
    expect(sends.addressesWithSeveralIds).toBe(0);
    // Exactly the batch the victim sent but never completed went out twice, under the same dispatch ids.
    expect([...sends.repeated.keys()].sort()).toEqual([...held].sort());
    expect(new Set(sends.repeated.values())).toEqual(new Set([2]));
    const dispatches = await store.listDispatches({ status: 'sent' });
    const retried = dispatches.filter((d) => held.includes(d.id));
    expect(retried.map((d) => d.attempts)).toEqual(held.map(() => 2));
    expect(retried.every((d) => d.leaseOwner === null)).toBe(true);
  }, 120_000);
});
