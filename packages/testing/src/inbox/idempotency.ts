import { describe, expect, it } from 'vitest';
import { message } from './fixtures.js';
import { type InboxStoreHarness, inboxSession } from './harness.js';

/** An idempotency key is unique per user: a repeated delivery finds the first message. */
export function idempotencyCases(harness: InboxStoreHarness): void {
  describe('idempotency keys', () => {
    it('returns the first message for a repeated idempotency key of the same user', async () => {
      const store = await inboxSession(harness).open();
      const first = await store.insert(message('m1', 'u1', 0, { idempotencyKey: 'k' }));
      const again = await store.insert(message('m2', 'u1', 1, { idempotencyKey: 'k', title: 'other' }));
      expect(again.created).toBe(false);
      expect(again.message).toEqual(first.message);
      expect(await store.get('m2')).toBeNull();
      const otherUser = await store.insert(message('m3', 'u2', 1, { idempotencyKey: 'k' }));
      expect(otherUser.created).toBe(true);
    });

    it('frees an idempotency key when its message is deleted', async () => {
      const store = await inboxSession(harness).open();
      await store.insert(message('m1', 'u1', 0, { idempotencyKey: 'k' }));
      await store.delete('m1', 'u1');
      expect((await store.insert(message('m2', 'u1', 1, { idempotencyKey: 'k' }))).created).toBe(true);
    });
  });
}
