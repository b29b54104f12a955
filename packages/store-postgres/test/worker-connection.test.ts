import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import { openStores } from './support/stores.js';
import {
  createSendsTable,
  scheduleDispatches,
  startWorker,
  summariseSends,
  waitFor,
} from './support/workers.js';

const DISPATCHES = 6_000;

describe("a worker's connections terminated mid-run", () => {
  it('is logged; the worker reconnects through the pool and carries on, losing nothing', async () => {
    const { stores, schema, url } = await openStores(1, { label: 'terminate' });
    const store = stores[0]!;
    await createSendsTable(url, schema);
    await scheduleDispatches(store, DISPATCHES);
    const admin = new pg.Pool({ connectionString: url, max: 1 });
    onTestFinished(() => admin.end());

    const workers = [0, 1].map((i) =>
      startWorker({
        url,
        schema,
        workerId: `term-${schema}-${i}`,
        leaseMs: 2_000,
        batchSize: 50,
        sendDelayMs: 10,
      }),
    );
    await waitFor('the workers to be under way', () => workers.every((w) => w.sent >= 200));
    const terminate = async (): Promise<number> => {
      const { rows } = await admin.query<{ n: number }>(
        `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = ANY($1)`,
        [workers.map((w) => w.id)],
      );
      return rows[0]!.n;
    };
    expect(await terminate()).toBeGreaterThan(0);
    const progress = workers.map((w) => w.sent);
    await waitFor('the workers to send again', () => workers.every((w, i) => w.sent > progress[i]! + 200));
    expect(await terminate()).toBeGreaterThan(0);
    await waitFor('every dispatch sent', async () => (await store.countDispatches()).sent === DISPATCHES);
    expect(await Promise.all(workers.map((w) => w.stop()))).toEqual([0, 0]);

    const logs = workers.flatMap((w) => w.logs).join('\n');
    expect(logs).toMatch(/terminating connection due to administrator command|Connection terminated/);
    const sends = await summariseSends(store.pool, schema);
    expect(sends.distinct).toBe(DISPATCHES);
    expect(sends.addressesWithSeveralIds).toBe(0);
    // Only a batch whose completion could not be written goes out again, at most once more.
    for (const times of sends.repeated.values()) expect(times).toBe(2);
    expect(sends.repeated.size).toBeLessThanOrEqual(4 * 50);
  }, 120_000);
});
