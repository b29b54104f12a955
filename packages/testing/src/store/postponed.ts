import { describe, expect, it } from 'vitest';
import { addresses, at, claim, SECOND, schedule, T0, to } from './fixtures.js';
import { type StoreHarness, session } from './harness.js';

/** Messages scheduled without recipients wait for `prepareDispatches()`. */
export function postponedCases(harness: StoreHarness): void {
  describe('postponed messages', () => {
    it('lists messages still waiting for dispatches, oldest first, up to the limit', async () => {
      const store = await session(harness).open();
      const ready = await schedule(store, { now: T0 });
      const older = await schedule(store, {
        message: { dispatchesReady: false },
        dispatches: [],
        now: at(1),
      });
      const newer = await schedule(store, {
        message: { dispatchesReady: false, context: { text: 'b' } },
        dispatches: [],
        now: at(2),
      });
      expect(older.message.dispatchesReady).toBe(false);
      expect(older.dispatches).toEqual([]);
      const listed = await store.listPostponedMessages(10);
      expect(listed.map((m) => m.id)).toEqual([older.message.id, newer.message.id]);
      expect(listed[1]).toEqual(newer.message);
      expect((await store.listPostponedMessages(1)).map((m) => m.id)).toEqual([older.message.id]);
      expect(listed.map((m) => m.id)).not.toContain(ready.message.id);
    });

    it('adds dispatches to a postponed message and marks it ready, so that they can be claimed', async () => {
      const store = await session(harness).open();
      const waiting = await schedule(store, { message: { dispatchesReady: false }, dispatches: [] });
      expect(await claim(store, { now: at(SECOND) })).toEqual([]);
      const added = await store.addDispatches(
        waiting.message.id,
        [...to(['a@x.test']), { messenger: 'conformance-one', address: 'u@x.test', userId: 'u1' }],
        at(SECOND),
      );
      expect(addresses(added)).toEqual(['a@x.test', 'u@x.test']);
      for (const d of added) {
        expect(d).toMatchObject({ messageId: waiting.message.id, status: 'pending', attempts: 0 });
        expect(d.createdAt).toEqual(at(SECOND));
      }
      expect(added.find((d) => d.address === 'u@x.test')?.userId).toBe('u1');
      expect((await store.getMessage(waiting.message.id))?.dispatchesReady).toBe(true);
      expect(await store.listPostponedMessages(10)).toEqual([]);
      const claimed = await claim(store, { now: at(2 * SECOND) });
      expect(addresses(claimed)).toEqual(['a@x.test', 'u@x.test']);
      expect(claimed[0]?.message.dispatchesReady).toBe(true);
    });

    it('refuses to add dispatches to a message that does not exist', async () => {
      const store = await session(harness).open();
      await expect(store.addDispatches('no-such-message', to(['a@x.test']), T0)).rejects.toThrow();
      expect((await store.countDispatches()).pending).toBe(0);
    });
  });
}
