import { describe, expect, it } from 'vitest';
import { at, message } from './fixtures.js';
import { type InboxStoreHarness, inboxSession } from './harness.js';

/** A message comes back exactly as it was given; health passes on an empty store. */
export function recordCases(harness: InboxStoreHarness): void {
  describe('stored messages', () => {
    it('passes its health check while empty', async () => {
      const store = await inboxSession(harness).open();
      const health = (await store.healthCheck?.()) ?? { status: 'healthy' };
      expect(health.status).toBe('healthy');
    });

    it('stores a message as given, unread, and returns null for an unknown id', async () => {
      const store = await inboxSession(harness).open();
      const metadata = { dispatchId: 'd1', nested: { list: [1, 'two', null, true] }, emoji: 'ünï 🔔' };
      const { message: stored, created } = await store.insert(
        message('m1', 'u1', 0, { title: '<b>"Hi" & \'bye\'</b>', body: 'line 1\nline 2 ✓', metadata }),
      );
      expect(created).toBe(true);
      const expected = {
        id: 'm1',
        userId: 'u1',
        title: '<b>"Hi" & \'bye\'</b>',
        body: 'line 1\nline 2 ✓',
        metadata,
        createdAt: at(0),
        read: false,
        readAt: null,
      };
      expect(stored).toEqual(expected);
      expect(await store.get('m1')).toEqual(expected);
      expect(await store.get('nope')).toBeNull();
    });

    it('round-trips metadata with $-prefixed, dotted and reference-shaped keys', async () => {
      const store = await inboxSession(harness).open();
      const metadata = { $ref: 'users', $id: 7, 'a.b': { $gt: 1 }, list: [{ 'x.y': null }] };
      await store.insert(message('m', 'u', 0, { metadata }));
      expect((await store.get('m'))?.metadata).toEqual(metadata);
    });
  });
}
