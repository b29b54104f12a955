import { describe, expect, it, onTestFinished } from 'vitest';
import { PostgresStore } from '../src/index.js';
import { startThrowawayCluster } from './support/pg-server.js';
import {
  createSendsTable,
  scheduleDispatches,
  startWorker,
  summariseSends,
  waitFor,
} from './support/workers.js';

const DISPATCHES = 3_000;

// The shared server on 5432 serves other test files in parallel, so this test stops and starts
// a throwaway cluster of its own (initdb + pg_ctl from the installed binaries).
describe('PostgreSQL stopped and started under a running worker', () => {
  it('the worker logs the outage, reconnects when the server is back and loses nothing', async () => {
    const cluster = await startThrowawayCluster();
    onTestFinished(() => cluster.remove());
    const schema = 'restart';
    const store = new PostgresStore({ connectionString: cluster.url }, { schema });
    onTestFinished(() => store.close());
    await store.init();
    await createSendsTable(cluster.url, schema);
    await scheduleDispatches(store, DISPATCHES);

    const worker = startWorker({
      url: cluster.url,
      schema,
      workerId: 'restart',
      leaseMs: 2_000,
      batchSize: 50,
      sendDelayMs: 20,
    });
    await waitFor('the worker to be under way', () => worker.sent >= 300);
    await cluster.stop();
    await waitFor('the worker to report the outage', () => worker.logs.some((l) => / error | warn /.test(l)));
    const duringOutage = worker.sent;
    await cluster.start();
    await waitFor('every dispatch sent', async () => (await store.countDispatches()).sent === DISPATCHES);
    expect(worker.sent).toBeGreaterThan(duringOutage);
    expect(await worker.stop()).toBe(0);

    expect(worker.logs.join('\n')).toMatch(
      /terminating connection|Connection terminated|ECONNREFUSED|shutting down/,
    );
    const sends = await summariseSends(store.pool, schema);
    expect(sends.distinct).toBe(DISPATCHES);
    expect(sends.addressesWithSeveralIds).toBe(0);
    for (const times of sends.repeated.values()) expect(times).toBe(2);
    expect(sends.repeated.size).toBeLessThanOrEqual(2 * 50);
  }, 120_000);
});
