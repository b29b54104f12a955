import { describe } from 'vitest';
import { claimCases } from './claims.js';
import { cleanupCases } from './cleanup.js';
import { completionCases } from './completion.js';
import { concurrencyCases } from './concurrency.js';
import { engineCases } from './engine.js';
import { feedbackCases } from './feedback.js';
import { groupingCases } from './grouping.js';
import type { StoreHarness } from './harness.js';
import { leaseCases } from './leases.js';
import { postponedCases } from './postponed.js';
import { readCases } from './reads.js';
import { recordCases } from './records.js';
import { scheduleManyCases } from './schedule-many.js';
import { schedulingCases } from './scheduling.js';
import { stateMachineCases } from './state-machine.js';
import { subscriptionCases } from './subscriptions.js';
import { suppressionCases } from './suppressions.js';

/**
 * Registers the store suite (describe/it blocks) for one store implementation. Every case goes
 * through the `Store` interface only and passes time explicitly, so no clock is needed.
 */
export function storeConformance(name: string, harness: StoreHarness): void {
  describe(`store conformance: ${name}`, () => {
    schedulingCases(harness);
    scheduleManyCases(harness);
    groupingCases(harness);
    postponedCases(harness);
    recordCases(harness);
    claimCases(harness);
    leaseCases(harness);
    completionCases(harness);
    readCases(harness);
    cleanupCases(harness);
    subscriptionCases(harness);
    suppressionCases(harness);
    feedbackCases(harness);
    concurrencyCases(harness);
    stateMachineCases(harness);
    engineCases(harness);
  });
}
