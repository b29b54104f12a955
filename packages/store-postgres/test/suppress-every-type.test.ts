// A suppression of every message type ('*', what delivery feedback writes) holds on each path
// that checks suppressions: findSuppressed, the scheduling insert's own filter, and the claim's
// answer that the engine's send-time check reuses.
import { createSitemsg } from '@sitemsg/core';
import { ALL_MESSAGE_TYPES } from '@sitemsg/core/plugin';
import { describe, expect, it } from 'vitest';
import { type Backend, backends } from './support/backends.js';
import { ListMessenger } from './support/messenger.js';
import { message } from './support/stores.js';

const dead = { messageType: ALL_MESSAGE_TYPES, messenger: 'test', address: 'dead@x.test' };

describe.each(backends)('suppressions of every type on $name', (backend: Backend) => {
  it('findSuppressed names the type’s own suppression first, else the one of every type, on one messenger and on several', async () => {
    const {
      stores: [store],
    } = await backend.open(1, 'star_find');
    await store!.addSuppression(dead);
    await store!.addSuppression({ ...dead, address: 'both@x.test' });
    await store!.addSuppression({ messageType: 'plain', messenger: 'test', address: 'both@x.test' });
    await store!.addSuppression({ ...dead, messenger: 'other' });
    const one = [
      { messenger: 'test', address: 'ok@x.test' },
      { messenger: 'test', address: 'dead@x.test' },
      { messenger: 'test', address: 'both@x.test' },
    ];
    expect(await store!.findSuppressed('plain', one)).toEqual([
      { messageType: '*', messenger: 'test', address: 'dead@x.test' },
      { messageType: 'plain', messenger: 'test', address: 'both@x.test' },
    ]);
    expect(await store!.findSuppressed('news', one)).toEqual([
      { messageType: '*', messenger: 'test', address: 'dead@x.test' },
      { messageType: '*', messenger: 'test', address: 'both@x.test' },
    ]);
    const several = [{ messenger: 'other', address: 'dead@x.test' }, ...one];
    expect(
      (await store!.findSuppressed('plain', several)).map((s) => [s.messageType, s.messenger, s.address]),
    ).toEqual([
      ['*', 'other', 'dead@x.test'],
      ['*', 'test', 'dead@x.test'],
      ['plain', 'test', 'both@x.test'],
    ]);
  });

  it('the scheduling insert leaves out an address suppressed for every type, on one messenger and on several', async () => {
    const {
      stores: [store],
    } = await backend.open(1, 'star_schedule');
    expect(store!.filtersSuppressedOnSchedule).toBe(true);
    await store!.addSuppression(dead);
    const now = new Date();
    const single = await store!.schedule({
      message,
      dispatches: ['a@x.test', 'dead@x.test', 'b@x.test'].map((address) => ({
        messenger: 'test',
        address,
        userId: null,
      })),
      now,
    });
    expect(single.dispatches.map((d) => d.address)).toEqual(['a@x.test', 'b@x.test']);
    const mixed = await store!.schedule({
      message: { ...message, type: 'digest' },
      dispatches: [
        { messenger: 'other', address: 'dead@x.test', userId: 'u1' },
        { messenger: 'test', address: 'dead@x.test', userId: 'u1' },
      ],
      now,
    });
    expect(mixed.dispatches.map((d) => `${d.messenger}:${d.address}`)).toEqual(['other:dead@x.test']);
    expect((await store!.countDispatches()).pending).toBe(3);
  });

  it('a suppression of every type written by another process between scheduling and claiming skips the dispatch at send time', async () => {
    const {
      stores: [workerStore, appStore],
    } = await backend.open(2, 'star_claim');
    const messenger = new ListMessenger();
    const worker = createSitemsg({ store: workerStore!, messengers: [messenger], workerId: 'w' });
    await worker.scheduleMessages('news', worker.recipients('test', ['a@x.test', 'dead@x.test']));
    // Through the other store instance: the worker's own cache of suppressions has not moved, so
    // only the claim statement's own check can know.
    await appStore!.addSuppression(dead);
    expect(await worker.sendScheduledMessages()).toEqual({ sent: 1, error: 0, failed: 0, skipped: 1 });
    expect(messenger.sent.map((o) => o.dispatch.address)).toEqual(['a@x.test']);
  });

  it('one written through the worker’s own store after scheduling skips it too, and lifting it lets the next one go', async () => {
    const {
      stores: [store],
    } = await backend.open(1, 'star_own');
    const messenger = new ListMessenger();
    const sitemsg = createSitemsg({ store: store!, messengers: [messenger], workerId: 'w' });
    await sitemsg.scheduleMessages('news', sitemsg.recipients('test', ['dead@x.test']));
    await store!.addSuppression(dead);
    expect(await sitemsg.sendScheduledMessages()).toEqual({ sent: 0, error: 0, failed: 0, skipped: 1 });
    expect(await store!.removeSuppressions({ messenger: 'test', address: 'dead@x.test' })).toBe(1);
    await sitemsg.scheduleMessages('again', sitemsg.recipients('test', ['dead@x.test']));
    expect(await sitemsg.sendScheduledMessages()).toEqual({ sent: 1, error: 0, failed: 0, skipped: 0 });
  });

  it('removeSuppressions lifts one type, or every kind of an address, in one statement', async () => {
    const {
      stores: [store],
    } = await backend.open(1, 'star_remove');
    for (const messageType of ['*', 'plain', 'digest']) await store!.addSuppression({ ...dead, messageType });
    await store!.addSuppression({ ...dead, messenger: 'other' });
    expect(
      await store!.removeSuppressions({ messenger: 'test', address: 'dead@x.test', messageType: 'plain' }),
    ).toBe(1);
    expect(
      await store!.removeSuppressions({ messenger: 'test', address: 'dead@x.test', messageType: 'plain' }),
    ).toBe(0);
    expect(await store!.removeSuppressions({ messenger: 'test', address: 'dead@x.test' })).toBe(2);
    expect(await store!.findSuppressed('plain', [{ messenger: 'test', address: 'dead@x.test' }])).toEqual([]);
    expect(await store!.findSuppressed('plain', [{ messenger: 'other', address: 'dead@x.test' }])).toEqual([
      { ...dead, messenger: 'other' },
    ]);
  });
});
