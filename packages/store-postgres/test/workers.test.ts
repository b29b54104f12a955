import { describe, expect, it } from 'vitest';
import { openStores } from './support/stores.js';
import {
  createSendsTable,
  scheduleDispatches,
  startWorker,
  summariseSends,
  waitFor,
} from './support/workers.js';

const DISPATCHES = 20_000;

describe('many worker processes on one database', () => {
  it(`4 processes drain ${DISPATCHES} dispatches, each sent exactly once`, async () => {
    const { stores, schema, url } = await openStores(1, { label: 'workers' });
    const store = stores[0]!;
    await createSendsTable(url, schema);
    const workers = Array.from({ length: 4 }, (_, i) =>
      startWorker({ url, schema, workerId: `worker-${i}`, leaseMs: 30_000, batchSize: 100 }),
    );
    await Promise.all(workers.map((w) => w.ready));
    await scheduleDispatches(store, DISPATCHES);

    await waitFor('every dispatch sent', async () => (await store.countDispatches()).sent === DISPATCHES);
    expect(await Promise.all(workers.map((w) => w.stop()))).toEqual([0, 0, 0, 0]);

    const sends = await summariseSends(store.pool, schema);
    expect(sends).toMatchObject({ total: DISPATCHES, distinct: DISPATCHES, addressesWithSeveralIds: 0 });
    expect(sends.repeated.size).toBe(0);
    expect(await store.countDispatches()).toEqual({
      pending: 0,
      processing: 0,
      sent: DISPATCHES,
      error: 0,
      failed: 0,
    });
    // The database shared the work out: no process sat idle.
    for (const w of workers) expect(w.sent).toBeGreaterThan(0);
  }, 120_000);
});
