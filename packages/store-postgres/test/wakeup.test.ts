import { describe, expect, it } from 'vitest';
import { buildNames } from '../src/names.js';
import { resolveStoreOptions } from '../src/options.js';
import { message, openStores, recipients, recordingLogger } from './support/stores.js';

const FOREVER = 600_000;
const never = (): AbortSignal => new AbortController().signal;

describe('waitForWork', () => {
  it('wakes an idle worker by NOTIFY when another process schedules', async () => {
    const { stores } = await openStores(2, { label: 'wake' });
    const [worker, app] = stores as [(typeof stores)[0], (typeof stores)[0]];
    // The first wait returns as soon as LISTEN is connected (work may have arrived before).
    await worker.waitForWork(FOREVER, never());
    const woken = worker.waitForWork(FOREVER, never());
    await app.schedule({ message, dispatches: recipients(1), now: new Date() });
    await woken;
    expect(await worker.claim({ owner: 'w', limit: 5, now: new Date(), leaseMs: 30_000 })).toHaveLength(1);
  });

  it('wakes idle workers when a retry is recorded', async () => {
    const { stores } = await openStores(2, { label: 'wake_retry' });
    const [worker, other] = stores as [(typeof stores)[0], (typeof stores)[0]];
    const now = new Date();
    await other.schedule({ message, dispatches: recipients(1), now });
    const [held] = await other.claim({ owner: 'o', limit: 1, now, leaseMs: 30_000 });
    await worker.waitForWork(FOREVER, never());
    const woken = worker.waitForWork(FOREVER, never());
    await other.complete(
      'o',
      [{ dispatchId: held!.dispatch.id, status: 'error', error: 'x', nextAttemptAt: now }],
      now,
    );
    await woken;
  });

  it('returns when the signal aborts, and at the timeout without LISTEN', async () => {
    const { stores } = await openStores(1, { label: 'wake_abort', listen: false });
    const controller = new AbortController();
    const waiting = stores[0]!.waitForWork(FOREVER, controller.signal);
    controller.abort();
    await waiting;
    await stores[0]!.waitForWork(1, never());
  });

  it('wakes a worker of the same process at once, even without LISTEN', async () => {
    const { stores } = await openStores(1, { label: 'wake_local', listen: false });
    const woken = stores[0]!.waitForWork(FOREVER, never());
    await stores[0]!.schedule({ message, dispatches: recipients(1), now: new Date() });
    await woken;
  });

  it('logs a lost LISTEN connection and listens again on the next wait', async () => {
    const logger = recordingLogger();
    const { stores, schema } = await openStores(2, { label: 'wake_lost', logger });
    const [worker, app] = stores as [(typeof stores)[0], (typeof stores)[0]];
    await worker.waitForWork(FOREVER, never());
    const { rows } = await app.pool.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE query = $1 AND pid <> pg_backend_pid()`,
      [`LISTEN "${buildNames(resolveStoreOptions({ schema })).channel}"`],
    );
    expect(rows.length).toBeGreaterThan(0);
    await app.pool.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) pid', [
      rows.map((r) => r.pid),
    ]);
    await until(() => logger.lines.some((l) => l.includes('LISTEN connection lost')));
    expect((await worker.healthCheck()).detail).toMatch(/LISTEN not connected, polling/);
    await worker.waitForWork(FOREVER, never());
    const woken = worker.waitForWork(FOREVER, never());
    await app.schedule({ message, dispatches: recipients(1), now: new Date() });
    await woken;
  });
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 20));
  expect(condition()).toBe(true);
}
