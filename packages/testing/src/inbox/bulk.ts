import { describe, expect, it } from 'vitest';
import { at, insertAll, message } from './fixtures.js';
import { type InboxStoreHarness, inboxSession } from './harness.js';

/** Whole-inbox operations of one user: the unread count, mark all read, clear all. */
export function bulkCases(harness: InboxStoreHarness): void {
  describe('one user’s whole inbox', () => {
    it('counts unread messages per user', async () => {
      const store = await inboxSession(harness).open();
      await insertAll(store, [message('a', 'u1', 0), message('b', 'u1', 1), message('c', 'u2', 2)]);
      await store.markRead('a', 'u1', at(3));
      expect(await store.countUnread('u1')).toBe(1);
      expect(await store.countUnread('u2')).toBe(1);
      expect(await store.countUnread('nobody')).toBe(0);
    });

    it('marks all of one user’s unread messages read and returns their ids', async () => {
      const store = await inboxSession(harness).open();
      await insertAll(store, [message('a', 'u1', 0), message('b', 'u1', 1), message('c', 'u2', 2)]);
      await store.markRead('a', 'u1', at(3));
      expect(await store.markAllRead('u1', at(4))).toEqual(['b']);
      expect(await store.markAllRead('u1', at(5))).toEqual([]);
      expect(await store.get('b')).toMatchObject({ read: true, readAt: at(4) });
      expect(await store.get('a')).toMatchObject({ readAt: at(3) });
      expect(await store.countUnread('u2')).toBe(1);
    });

    it('clears one user’s messages and returns how many', async () => {
      const store = await inboxSession(harness).open();
      await insertAll(store, [message('a', 'u1', 0), message('b', 'u1', 1), message('c', 'u2', 2)]);
      expect(await store.clearAll('u1')).toBe(2);
      expect(await store.clearAll('u1')).toBe(0);
      expect(await store.get('a')).toBeNull();
      expect(await store.get('c')).not.toBeNull();
    });
  });
}
