import { describe } from 'vitest';
import { addressCases } from './addresses.js';
import { deliveryCases } from './delivery.js';
import { engineCases } from './engine.js';
import type { MessengerHarness } from './harness.js';
import { healthCases } from './health.js';
import { multiAddressCases } from './multi-address.js';
import { outageCases } from './outages.js';

/**
 * Registers the messenger suite (describe/it blocks) for one messenger. Each case gets a fresh
 * provider and messenger from `harness.setup()` and tears them down when it finishes.
 */
export function messengerConformance(name: string, harness: MessengerHarness): void {
  describe(`messenger conformance: ${name}`, () => {
    addressCases(harness);
    multiAddressCases(harness);
    deliveryCases(harness);
    outageCases(harness);
    healthCases(harness);
    engineCases(harness);
  });
}
