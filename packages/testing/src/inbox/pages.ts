import { describe, expect, it } from 'vitest';
import { at, insertAll, message, pageIds } from './fixtures.js';
import { type InboxStoreHarness, inboxSession } from './harness.js';

/** The bell's list: one user's messages, newest first by (createdAt, id), paged strictly before a position. */
export function pageCases(harness: InboxStoreHarness): void {
  describe('pages', () => {
    it('lists one user’s messages newest first, ties broken by id, within the limit', async () => {
      const store = await inboxSession(harness).open();
      await insertAll(store, [
        message('a', 'u1', 1),
        message('c', 'u1', 3),
        message('b2', 'u1', 2),
        message('b1', 'u1', 2),
        message('x', 'u2', 5),
      ]);
      expect(await pageIds(store, 'u1')).toEqual(['c', 'b2', 'b1', 'a']);
      expect(await pageIds(store, 'u1', { limit: 2 })).toEqual(['c', 'b2']);
      expect(await pageIds(store, 'nobody')).toEqual([]);
    });

    it('pages strictly before a position, including between messages of the same time', async () => {
      const store = await inboxSession(harness).open();
      await insertAll(store, [
        message('a', 'u1', 1),
        message('b1', 'u1', 2),
        message('b2', 'u1', 2),
        message('c', 'u1', 3),
      ]);
      expect(await pageIds(store, 'u1', { before: { createdAt: at(2), id: 'b2' } })).toEqual(['b1', 'a']);
    });

    it('lists only unread messages when asked', async () => {
      const store = await inboxSession(harness).open();
      await insertAll(store, [message('a', 'u1', 1), message('b', 'u1', 2), message('c', 'u1', 3)]);
      await store.markRead('b', 'u1', at(10));
      expect(await pageIds(store, 'u1', { unreadOnly: true })).toEqual(['c', 'a']);
      expect(
        await pageIds(store, 'u1', { unreadOnly: true, limit: 1, before: { createdAt: at(3), id: 'c' } }),
      ).toEqual(['a']);
    });
  });
}
