import { describe, expect, it } from 'vitest';
import { at, insertAll, message, pageIds } from './fixtures.js';
import { type InboxStoreHarness, inboxSession } from './harness.js';

/** Writes that name a user touch only that user's message, and say why when they change nothing. */
export function ownerGuardCases(harness: InboxStoreHarness): void {
  describe('owner-guarded writes', () => {
    it('marks a message read once, at the given time', async () => {
      const store = await inboxSession(harness).open();
      await store.insert(message('m', 'u1', 0));
      expect(await store.markRead('m', 'u1', at(5))).toBe('changed');
      expect(await store.markRead('m', 'u1', at(6))).toBe('unchanged');
      expect(await store.get('m')).toMatchObject({ read: true, readAt: at(5) });
      expect(await store.markRead('missing', 'u1', at(7))).toBe('not-found');
    });

    it('refuses to mark or delete another user’s message and changes nothing', async () => {
      const store = await inboxSession(harness).open();
      await store.insert(message('m', 'owner', 0));
      expect(await store.markRead('m', 'intruder', at(1))).toBe('forbidden');
      expect(await store.delete('m', 'intruder')).toBe('forbidden');
      expect(await store.get('m')).toMatchObject({ userId: 'owner', read: false, readAt: null });
      expect(await store.countUnread('owner')).toBe(1);
    });

    it('deletes the owner’s message and reports an unknown one', async () => {
      const store = await inboxSession(harness).open();
      await insertAll(store, [message('m', 'u1', 0), message('n', 'u1', 1)]);
      expect(await store.delete('m', 'u1')).toBe('changed');
      expect(await store.get('m')).toBeNull();
      expect(await store.delete('m', 'u1')).toBe('not-found');
      expect(await pageIds(store, 'u1')).toEqual(['n']);
    });
  });
}
