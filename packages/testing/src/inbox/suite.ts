import { describe } from 'vitest';
import { bulkCases } from './bulk.js';
import { concurrencyCases } from './concurrency.js';
import type { InboxStoreHarness } from './harness.js';
import { idempotencyCases } from './idempotency.js';
import { ownerGuardCases } from './owner-guards.js';
import { pageCases } from './pages.js';
import { recordCases } from './records.js';
import { retentionCases } from './retention.js';
import { serviceCases } from './service.js';

/**
 * Registers the inbox store suite (describe/it blocks) for one `InboxStore` implementation. The
 * store cases go through the `InboxStore` interface only and pass time explicitly; the last ones
 * run `InboxService` and `InboxMessenger` on top of it with a manual clock.
 *
 * ```ts
 * inboxStoreConformance('MemoryInboxStore', { create: async () => new MemoryInboxStore() });
 * ```
 */
export function inboxStoreConformance(name: string, harness: InboxStoreHarness): void {
  describe(`inbox store conformance: ${name}`, () => {
    recordCases(harness);
    pageCases(harness);
    ownerGuardCases(harness);
    bulkCases(harness);
    retentionCases(harness);
    idempotencyCases(harness);
    concurrencyCases(harness);
    serviceCases(harness);
  });
}
