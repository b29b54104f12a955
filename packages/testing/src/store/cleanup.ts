import type { Store } from '@sitemsg/core/plugin';
import { describe, expect, it } from 'vitest';
import { at, DAY, SECOND, type Settled, schedule, settle } from './fixtures.js';
import { type StoreHarness, session } from './harness.js';

/**
 * `allSent` (both sent, day 0), `mixed` (sent + failed, day 0), `recent` (sent, day 10),
 * `waiting` (pending, day 10) and `postponed` (no dispatches yet, day 0).
 */
async function populate(store: Store) {
  const allSent = await schedule(store, { addresses: ['sent-1', 'sent-2'], now: at(0) });
  const mixed = await schedule(store, { addresses: ['sent-3', 'failed-1'], now: at(0) });
  const decide = (d: { address: string }): Settled => (d.address.startsWith('sent') ? 'sent' : 'failed');
  await settle(store, at(SECOND), decide);
  const recent = await schedule(store, { addresses: ['sent-4'], now: at(10 * DAY) });
  await settle(store, at(10 * DAY), () => 'sent');
  const waiting = await schedule(store, { addresses: ['pending-1'], now: at(10 * DAY + SECOND) });
  const postponed = await schedule(store, {
    message: { dispatchesReady: false },
    dispatches: [],
    now: at(0),
  });
  return { allSent, mixed, waiting, recent, postponed };
}

/** Cleanup deletes sent dispatches, then the messages they leave empty. */
export function cleanupCases(harness: StoreHarness): void {
  describe('cleanup', () => {
    it('deletes sent dispatches created before the date, then the messages left with none', async () => {
      const store = await session(harness).open();
      const m = await populate(store);
      expect(await store.cleanup({ before: at(5 * DAY), dispatchesOnly: false })).toEqual({
        dispatches: 3,
        messages: 1,
      });
      expect(await store.getMessage(m.allSent.message.id)).toBeNull();
      for (const d of m.allSent.dispatches) expect(await store.getDispatch(d.id)).toBeNull();
      expect(await store.getMessage(m.mixed.message.id)).not.toBeNull();
      const left = await store.listDispatches({ messageId: m.mixed.message.id });
      expect(left.map((d) => d.status)).toEqual(['failed']);
      expect(await store.getMessage(m.waiting.message.id)).not.toBeNull();
      expect(await store.getMessage(m.recent.message.id)).not.toBeNull();
      expect(await store.getMessage(m.postponed.message.id)).not.toBeNull();
      expect(await store.countDispatches()).toEqual({
        pending: 1,
        processing: 0,
        sent: 1,
        error: 0,
        failed: 1,
      });
    });

    it('deletes every sent dispatch when no date is given', async () => {
      const store = await session(harness).open();
      const m = await populate(store);
      expect(await store.cleanup({ before: null, dispatchesOnly: false })).toEqual({
        dispatches: 4,
        messages: 2,
      });
      expect(await store.getMessage(m.recent.message.id)).toBeNull();
      expect(await store.getMessage(m.postponed.message.id)).not.toBeNull();
      expect((await store.countDispatches()).sent).toBe(0);
    });

    it('keeps the messages with dispatchesOnly', async () => {
      const store = await session(harness).open();
      const m = await populate(store);
      expect(await store.cleanup({ before: null, dispatchesOnly: true })).toEqual({
        dispatches: 4,
        messages: 0,
      });
      expect(await store.getMessage(m.allSent.message.id)).toEqual(m.allSent.message);
      expect(await store.listDispatches({ messageId: m.allSent.message.id })).toEqual([]);
      expect(await store.cleanup({ before: null, dispatchesOnly: true })).toEqual({
        dispatches: 0,
        messages: 0,
      });
    });
  });
}
