import type { Store } from '@sitemsg/core/plugin';
import { describe, expect, it } from 'vitest';
import { at, claim, ids, SECOND, schedule } from './fixtures.js';
import { type StoreHarness, session } from './harness.js';

const WORKERS = 4;
const DISPATCHES = 200;
const LEASE = 30 * SECOND;

/** Each worker claims small batches until nothing is left; returns the ids each one got. */
function drain(stores: readonly Store[], now: Date): Promise<string[][]> {
  return Promise.all(
    stores.map(async (store, i) => {
      const got: string[] = [];
      for (;;) {
        const batch = await claim(store, { owner: `worker-${i}`, limit: 7, now, leaseMs: LEASE });
        if (batch.length === 0) return got;
        got.push(...ids(batch));
      }
    }),
  );
}

function expectPartition(perWorker: readonly string[][], all: readonly string[]): void {
  const union = perWorker.flat();
  expect(union).toHaveLength(all.length);
  expect(new Set(union).size).toBe(union.length);
  expect([...union].sort()).toEqual([...all].sort());
}

/** Several workers on one database never hold the same dispatch. */
export function concurrencyCases(harness: StoreHarness): void {
  describe('concurrent workers', () => {
    it(`splits ${DISPATCHES} dispatches between ${WORKERS} claiming workers without overlap`, async () => {
      const s = session(harness);
      const stores = await Promise.all(Array.from({ length: WORKERS }, () => s.open()));
      const addresses = Array.from({ length: DISPATCHES }, (_, i) => `r${i}@x.test`);
      const { dispatches } = await schedule(stores[0]!, { addresses });
      const all = dispatches.map((d) => d.id);
      const perWorker = await drain(stores, at(SECOND));
      expectPartition(perWorker, all);

      const written = await Promise.all(
        perWorker.map((mine, i) =>
          stores[i]!.complete(
            `worker-${i}`,
            mine.map((dispatchId) => ({ dispatchId, status: 'sent' as const })),
            at(2 * SECOND),
          ),
        ),
      );
      expect(written.reduce((a, b) => a + b, 0)).toBe(DISPATCHES);
      expect((await stores[1]!.countDispatches()).sent).toBe(DISPATCHES);
    }, 60_000);

    it('gives each expired lease to exactly one of the workers reclaiming it at once', async () => {
      const s = session(harness);
      const stores = await Promise.all(Array.from({ length: WORKERS }, () => s.open()));
      const addresses = Array.from({ length: 60 }, (_, i) => `r${i}@x.test`);
      const { dispatches } = await schedule(stores[0]!, { addresses });
      expect(await claim(stores[0]!, { owner: 'crashed', now: at(0), leaseMs: LEASE })).toHaveLength(60);
      const perWorker = await drain(stores, at(LEASE));
      expectPartition(
        perWorker,
        dispatches.map((d) => d.id),
      );
      for (const d of await stores[2]!.listDispatches({})) expect(d.attempts).toBe(2);
    }, 60_000);
  });
}
