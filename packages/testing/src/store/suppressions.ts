import { describe, expect, it } from 'vitest';
import { type StoreHarness, session } from './harness.js';

/** An address suppressed for a message type on a messenger. */
export function suppressionCases(harness: StoreHarness): void {
  describe('suppressions', () => {
    it('adds a suppression once and finds it for that type and messenger only', async () => {
      const store = await session(harness).open();
      const gone = { messageType: 'news', messenger: 'smtp', address: 'gone@x.test' };
      expect(await store.findSuppressed('news', [{ messenger: 'smtp', address: 'gone@x.test' }])).toEqual([]);
      expect(await store.addSuppression(gone)).toBe(true);
      expect(await store.addSuppression(gone)).toBe(false);
      expect(await store.addSuppression({ ...gone, messageType: 'digest', address: 'd@x.test' })).toBe(true);
      const found = await store.findSuppressed('news', [
        { messenger: 'smtp', address: 'kept@x.test' },
        { messenger: 'smtp', address: 'gone@x.test' },
        { messenger: 'sms', address: 'gone@x.test' },
        { messenger: 'smtp', address: 'd@x.test' },
      ]);
      expect(found).toMatchObject([gone]);
      expect(await store.findSuppressed('digest', [{ messenger: 'smtp', address: 'gone@x.test' }])).toEqual(
        [],
      );
      expect(await store.findSuppressed('news', [])).toEqual([]);
    });
  });
}
