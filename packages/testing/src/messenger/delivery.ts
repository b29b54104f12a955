import { SitemsgError } from '@sitemsg/core/plugin';
import { describe, expect, it } from 'vitest';
import { batchFor, expectDelivered, resultFor, runBatch, waitForReceived } from './batches.js';
import { type MessengerHarness, start } from './harness.js';

function expectDeliveryError(result: { ok: boolean; error?: unknown }, retryable: boolean): void {
  expect(result.ok).toBe(false);
  const error = result.error as { code?: unknown; retryable?: unknown; message?: unknown };
  expect(SitemsgError.isInstance(error)).toBe(true);
  expect(error.code).toBe('DELIVERY_ERROR');
  expect(error.retryable).toBe(retryable);
}

/** Batches: one outcome per dispatch, one bad address never fails the others. */
export function deliveryCases(harness: MessengerHarness): void {
  describe('delivery', () => {
    it('sends a batch of three and the provider receives each with its text', async () => {
      const { messenger, provider, validAddresses } = await start(harness);
      const batch = batchFor(messenger, validAddresses);
      const run = await runBatch(messenger, batch);
      expect(run.warmUpError).toBeNull();
      for (const item of batch) {
        const result = resultFor(run, item);
        expect(result.ok, `outcome for ${item.dispatch.address}`).toBe(true);
        if (result.ok && result.value.providerMessageId !== undefined) {
          expect(typeof result.value.providerMessageId).toBe('string');
        }
      }
      expectDelivered(await waitForReceived(provider, 3), batch);
    });

    it('reports a permanent refusal of one address as one non-retryable error and sends the others', async () => {
      const { messenger, provider, validAddresses } = await start(harness);
      const [good1, refused, good2] = validAddresses;
      provider.failAddress(refused, 'permanent');
      const batch = batchFor(messenger, [good1, refused, good2]);
      const run = await runBatch(messenger, batch);
      expect(run.warmUpError).toBeNull();
      expect(resultFor(run, batch[0]!).ok).toBe(true);
      expectDeliveryError(resultFor(run, batch[1]!), false);
      expect(resultFor(run, batch[2]!).ok).toBe(true);
      expectDelivered(await waitForReceived(provider, 2), [batch[0]!, batch[2]!]);
    });

    it('reports a retryable refusal of one address as a retryable error and sends the others', async () => {
      const { messenger, provider, validAddresses } = await start(harness);
      const [good1, refused, good2] = validAddresses;
      provider.failAddress(refused, 'retryable');
      const batch = batchFor(messenger, [good1, refused, good2]);
      const run = await runBatch(messenger, batch);
      expect(run.warmUpError).toBeNull();
      expectDeliveryError(resultFor(run, batch[1]!), true);
      expect(resultFor(run, batch[0]!).ok).toBe(true);
      expect(resultFor(run, batch[2]!).ok).toBe(true);
      expectDelivered(await waitForReceived(provider, 2), [batch[0]!, batch[2]!]);
    });
  });
}
