import { describe, expect, it } from 'vitest';
import { batchFor, expectDelivered, runBatch, waitForReceived } from './batches.js';
import { type MessengerHarness, start } from './harness.js';

/** A provider that is down or refuses the credentials: retryable, never a thrown send(). */
export function outageCases(harness: MessengerHarness): void {
  describe('provider outages', () => {
    it('turns an unreachable provider into retryable errors (or a warm-up failure), then recovers', async () => {
      const { messenger, provider, validAddresses } = await start(harness);
      provider.failAll('network');
      const down = await runBatch(messenger, batchFor(messenger, validAddresses.slice(0, 2)));
      if (down.warmUpError === null) {
        for (const { result } of down.results) {
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.error.retryable).toBe(true);
        }
      }
      provider.failAll(null);
      const batch = batchFor(messenger, validAddresses.slice(0, 2));
      const up = await runBatch(messenger, batch);
      expect(up.warmUpError).toBeNull();
      expect(up.results.every((r) => r.result.ok)).toBe(true);
      expectDelivered(await waitForReceived(provider, 2), batch);
    }, 30_000);

    it('turns refused credentials into errors (or a warm-up failure), then recovers', async () => {
      const { messenger, provider, validAddresses } = await start(harness);
      provider.failAll('auth');
      const refused = await runBatch(messenger, batchFor(messenger, validAddresses.slice(0, 2)));
      if (refused.warmUpError === null) {
        for (const { result } of refused.results) expect(result.ok).toBe(false);
      }
      expect(await provider.received()).toEqual([]);
      provider.failAll(null);
      const batch = batchFor(messenger, [validAddresses[2]]);
      const up = await runBatch(messenger, batch);
      expect(up.results.every((r) => r.result.ok)).toBe(true);
      expectDelivered(await waitForReceived(provider, 1), batch);
    }, 30_000);
  });
}
