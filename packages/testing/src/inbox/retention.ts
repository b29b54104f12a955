import { describe, expect, it } from 'vitest';
import { at, insertAll, message } from './fixtures.js';
import { type InboxStoreHarness, inboxSession } from './harness.js';

/** Retention deletes by age across every user. */
export function retentionCases(harness: InboxStoreHarness): void {
  describe('retention', () => {
    it('deletes messages created strictly before a time, whoever owns them', async () => {
      const store = await inboxSession(harness).open();
      await insertAll(store, [message('old', 'u1', 0), message('edge', 'u2', 10), message('new', 'u1', 20)]);
      expect(await store.deleteOlderThan(at(10))).toBe(1);
      expect(await store.get('old')).toBeNull();
      expect(await store.get('edge')).not.toBeNull();
      expect(await store.deleteOlderThan(at(10))).toBe(0);
    });
  });
}
