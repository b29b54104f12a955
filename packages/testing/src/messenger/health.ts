import type { Messenger } from '@sitemsg/core/plugin';
import { describe, expect, it } from 'vitest';
import { batchFor, runBatch } from './batches.js';
import { type MessengerHarness, start } from './harness.js';

/** A health check that throws counts as unhealthy, as the engine's aggregate does. */
async function healthOf(messenger: Messenger): Promise<string> {
  try {
    return (await messenger.healthCheck()).status;
  } catch {
    return 'unhealthy';
  }
}

/** The health check reflects the provider. */
export function healthCases(harness: MessengerHarness): void {
  describe('health check', () => {
    it('is healthy when the provider answers, and not when it refuses or is unreachable', async () => {
      const { messenger, provider, validAddresses, healthFromSends } = await start(harness);
      // A channel whose health comes from its sends learns the provider's state by sending.
      const learn = async (): Promise<void> => {
        if (healthFromSends) await runBatch(messenger, batchFor(messenger, [validAddresses[0]]));
      };
      expect(await healthOf(messenger)).toBe('healthy');
      provider.failAll('auth');
      await learn();
      expect(await healthOf(messenger)).not.toBe('healthy');
      provider.failAll('network');
      await learn();
      expect(await healthOf(messenger)).not.toBe('healthy');
      provider.failAll(null);
      await learn();
      expect(await healthOf(messenger)).toBe('healthy');
    }, 30_000);
  });
}
