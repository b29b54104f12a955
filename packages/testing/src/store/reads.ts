import { describe, expect, it } from 'vitest';
import { at, MINUTE, SECOND, schedule } from './fixtures.js';
import { type StoreHarness, session } from './harness.js';

/** Read status: marked once, by any worker. */
export function readCases(harness: StoreHarness): void {
  describe('read status', () => {
    it('marks a dispatch read once, then answers false; an unknown id is false', async () => {
      const s = session(harness);
      const store = await s.open();
      const { dispatches } = await schedule(store, { addresses: ['a@x.test', 'b@x.test'] });
      const [a, b] = dispatches;
      expect(await store.markRead(a!.id, at(SECOND))).toBe(true);
      expect(await store.getDispatch(a!.id)).toMatchObject({ readStatus: 'read', readAt: at(SECOND) });
      const other = await s.open();
      expect(await other.markRead(a!.id, at(MINUTE))).toBe(false);
      expect((await store.getDispatch(a!.id))?.readAt).toEqual(at(SECOND));
      expect(await store.getDispatch(b!.id)).toMatchObject({ readStatus: 'unread', readAt: null });
      expect(await store.markRead('no-such-dispatch', at(SECOND))).toBe(false);
    });
  });
}
