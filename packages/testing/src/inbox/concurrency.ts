import { describe, expect, it } from 'vitest';
import { at, message, pageIds } from './fixtures.js';
import { type InboxStoreHarness, inboxSession } from './harness.js';

/** Several processes on one database: what one writes the others see, and racing writes stay exact. */
export function concurrencyCases(harness: InboxStoreHarness): void {
  describe('several processes on one database', () => {
    it('reads, marks and deletes through one store what another wrote', async () => {
      const s = inboxSession(harness);
      const [writer, reader] = [await s.open(), await s.open()];
      await writer.insert(message('m', 'u1', 0));
      await writer.insert(message('n', 'u1', 1));
      expect(await pageIds(reader, 'u1')).toEqual(['n', 'm']);
      expect(await reader.markRead('m', 'u1', at(2))).toBe('changed');
      expect(await writer.countUnread('u1')).toBe(1);
      expect(await reader.delete('n', 'u1')).toBe('changed');
      expect(await writer.get('n')).toBeNull();
    });

    it('writes one message when three deliveries of one idempotency key race', async () => {
      const s = inboxSession(harness);
      const stores = [await s.open(), await s.open(), await s.open()];
      const results = await Promise.all(
        stores.map((store, i) => store.insert(message(`m${i}`, 'u1', i, { idempotencyKey: 'dispatch:1' }))),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.message.id)).size).toBe(1);
      expect(await stores[0]!.countUnread('u1')).toBe(1);
    });

    it('gives concurrent markAllRead calls disjoint sets of ids that cover every unread message', async () => {
      const s = inboxSession(harness);
      const [a, b] = [await s.open(), await s.open()];
      for (const [i, id] of ['a', 'b', 'c', 'd'].entries()) await a.insert(message(id, 'u1', i));
      await a.insert(message('other', 'u2', 0));
      const [x, y] = await Promise.all([a.markAllRead('u1', at(5)), b.markAllRead('u1', at(5))]);
      expect([...x!, ...y!].sort()).toEqual(['a', 'b', 'c', 'd']);
      expect(await b.countUnread('u1')).toBe(0);
      expect(await b.countUnread('u2')).toBe(1);
    });
  });
}
