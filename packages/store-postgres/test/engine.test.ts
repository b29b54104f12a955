import { createSitemsg, ManualClock } from '@sitemsg/core';
import { describe, expect, it } from 'vitest';
import { ListMessenger } from './support/messenger.js';
import { openStores } from './support/stores.js';

describe('the engine on PostgreSQL', () => {
  it('sends, retries after the back-off stored as next_attempt_at, and cleans up', async () => {
    const { stores } = await openStores(1, { label: 'engine' });
    const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
    const messenger = new ListMessenger();
    messenger.failing.add('b@x.test');
    const sitemsg = createSitemsg({
      store: stores[0]!,
      messengers: [messenger],
      clock,
      random: () => 0.5,
      backoff: { baseMs: 60_000, jitter: 0 },
      workerId: 'w1',
    });
    await sitemsg.scheduleMessages('hello', sitemsg.recipients('test', ['a@x.test', 'b@x.test']));
    expect(await sitemsg.sendScheduledMessages()).toEqual({ sent: 1, error: 1, failed: 0, skipped: 0 });
    const [retrying] = await stores[0]!.listDispatches({ status: 'error' });
    expect(retrying).toMatchObject({ attempts: 1, nextAttemptAt: new Date('2026-01-01T00:01:00Z') });

    messenger.failing.clear();
    clock.advance(59_999);
    expect((await sitemsg.sendScheduledMessages()).sent).toBe(0);
    clock.advance(1);
    expect((await sitemsg.sendScheduledMessages()).sent).toBe(1);
    expect(messenger.sent.map((o) => o.dispatch.address)).toEqual(['a@x.test', 'b@x.test']);
    expect(await stores[0]!.listDispatchErrors(retrying!.id)).toEqual([
      {
        dispatchId: retrying!.id,
        error: 'DeliveryError: [sitemsg] 421 try later',
        at: new Date('2026-01-01T00:00:00Z'),
      },
    ]);
    expect(await sitemsg.cleanupSentMessages()).toEqual({ dispatches: 2, messages: 1 });
  });

  it('skips an address suppressed by another process before the claim, and sees its own later suppressions', async () => {
    const { stores } = await openStores(2, { label: 'engine_supp' });
    const [workerStore, appStore] = stores as [(typeof stores)[0], (typeof stores)[0]];
    const messenger = new ListMessenger();
    const worker = createSitemsg({ store: workerStore, messengers: [messenger], workerId: 'w' });
    await worker.scheduleMessages('news', worker.recipients('test', ['a@x.test', 'b@x.test']));
    await appStore.addSuppression({ messageType: 'plain', messenger: 'test', address: 'b@x.test' });
    expect(await worker.sendScheduledMessages()).toEqual({ sent: 1, error: 0, failed: 0, skipped: 1 });
    expect(messenger.sent.map((o) => o.dispatch.address)).toEqual(['a@x.test']);

    await worker.scheduleMessages('more', worker.recipients('test', ['c@x.test']));
    const claimed = await workerStore.claim({ owner: 'x', limit: 10, now: new Date(), leaseMs: 30_000 });
    const records = claimed.map((c) => c.dispatch);
    const pool = workerStore.pool;
    const query = pool.query.bind(pool);
    let statements = 0;
    pool.query = ((...args: Parameters<typeof query>) => {
      statements++;
      return query(...args);
    }) as typeof query;
    // Answered from the claim itself: no statement, and the records stay plain to the eye.
    expect(await workerStore.findSuppressed('plain', records)).toEqual([]);
    expect(statements).toBe(0);
    expect(JSON.parse(JSON.stringify(records[0]))).toEqual({
      ...records[0],
      createdAt: expect.any(String),
      leaseExpiresAt: expect.any(String),
    });
    // A copy of the record, or another type, is asked of the database.
    expect(await workerStore.findSuppressed('plain', [{ ...records[0]! }])).toEqual([]);
    expect(await workerStore.findSuppressed('other', records)).toEqual([]);
    expect(statements).toBe(2);
    await workerStore.addSuppression({ messageType: 'plain', messenger: 'test', address: 'c@x.test' });
    expect(await workerStore.findSuppressed('plain', records)).toEqual([
      { messageType: 'plain', messenger: 'test', address: 'c@x.test' },
    ]);
    expect(statements).toBe(4);
  });

  it("runs the worker loop, woken by another process's NOTIFY instead of polling", async () => {
    const { stores } = await openStores(2, { label: 'engine_work' });
    const messenger = new ListMessenger();
    const worker = createSitemsg({ store: stores[0]!, messengers: [messenger], workerId: 'loop' });
    const app = createSitemsg({ store: stores[1]!, messengers: [new ListMessenger()] });
    const controller = new AbortController();
    let rounds = 0;
    // A poll interval far beyond the test timeout: only a wake-up can make this worker send.
    const loop = worker.work({
      pollInterval: 600_000,
      handleSignals: false,
      signal: controller.signal,
      onRound: () => rounds++,
    });
    while (rounds < 2) await new Promise((r) => setTimeout(r, 10));
    await app.scheduleMessages('wake up', app.recipients('test', 'a@x.test'));
    while (messenger.sent.length === 0) await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    expect(await loop).toMatchObject({ sent: 1 });
    expect((await stores[1]!.countDispatches()).sent).toBe(1);
  });
});
