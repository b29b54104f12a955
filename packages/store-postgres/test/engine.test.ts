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

    // The claim answers suppression in its own statement (ClaimedDispatch.suppressed), so the
    // engine asks nothing more before sending.
    await worker.scheduleMessages('more', worker.recipients('test', ['c@x.test', 'd@x.test']));
    await appStore.addSuppression({ messageType: '*', messenger: 'test', address: 'd@x.test' });
    const claimed = await workerStore.claim({ owner: 'x', limit: 10, now: new Date(), leaseMs: 30_000 });
    expect(claimed.map((c) => [c.dispatch.address, c.suppressed])).toEqual([
      ['c@x.test', false],
      ['d@x.test', true],
    ]);
    expect(JSON.parse(JSON.stringify(claimed[0]!.dispatch))).toEqual({
      ...claimed[0]!.dispatch,
      createdAt: expect.any(String),
      leaseExpiresAt: expect.any(String),
    });
    await worker.scheduleMessages('last', worker.recipients('test', ['e@x.test', 'd@x.test']));
    let lookups = 0;
    const find = workerStore.findSuppressed.bind(workerStore);
    workerStore.findSuppressed = (...args) => {
      lookups++;
      return find(...args);
    };
    expect(await worker.sendScheduledMessages()).toMatchObject({ sent: 1 });
    expect(lookups).toBe(0);
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
