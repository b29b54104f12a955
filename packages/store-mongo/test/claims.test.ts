import type { NewDispatch } from '@sitemsg/core/plugin';
import { type MongoTestServer, startMongoTestServer } from '@sitemsg-internal/test-servers/mongo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoStore } from '../src/index.js';

const NOW = new Date('2026-01-01T00:00:00Z');
let server: MongoTestServer;
let store: MongoStore;

beforeAll(async () => {
  server = await startMongoTestServer();
  store = new MongoStore({ url: server.url, dbName: 'claims' });
  await store.init();
});
afterAll(async () => {
  await store.close();
  await server.close();
});

const total = (): number => [...server.counts.values()].reduce((a, b) => a + b, 0);

async function roundTrips(work: () => Promise<unknown>): Promise<number> {
  const before = total();
  await work();
  return total() - before;
}

describe('round trips per batch', () => {
  it('claims a batch and records its outcomes in a constant number of commands', async () => {
    const dispatches: NewDispatch[] = Array.from({ length: 200 }, (_, i) => ({
      messenger: 'test',
      address: `r${i}@x.test`,
      userId: null,
    }));
    const scheduled = await store.schedule({
      message: {
        type: 'plain',
        context: { text: 'hi' },
        senderId: null,
        priority: 0,
        sendAt: null,
        idempotencyKey: null,
        groupMark: null,
        dispatchesReady: true,
      },
      dispatches,
      now: NOW,
    });
    let claimed: Awaited<ReturnType<MongoStore['claim']>> = [];
    // find due ids, updateMany, read back, read messages (+ the repair pass of a first claim: one
    // look-up for stages left unfinished, one for scheduleMany batch records left undecided).
    const claimTrips = await roundTrips(async () => {
      claimed = await store.claim({ owner: 'w', limit: 200, now: NOW, leaseMs: 30_000 });
    });
    expect(claimed).toHaveLength(200);
    expect(claimTrips).toBeLessThanOrEqual(6);

    const updates = server.counts.get('update') ?? 0;
    const written = await store.complete(
      'w',
      // Sent with and without a provider message id, and errors: still one update command.
      claimed.map(({ dispatch }, i) =>
        i % 4 === 0
          ? { dispatchId: dispatch.id, status: 'sent' as const, providerMessageId: `P-${dispatch.id}` }
          : i % 2 === 0
            ? { dispatchId: dispatch.id, status: 'sent' as const }
            : { dispatchId: dispatch.id, status: 'error' as const, error: 'busy', nextAttemptAt: NOW },
      ),
      NOW,
    );
    expect(written).toBe(200);
    expect((server.counts.get('update') ?? 0) - updates).toBe(1);
    expect(await store.countDispatches()).toMatchObject({ sent: 100, error: 100 });
    const [first, second] = claimed.map((c) => c.dispatch.id);
    expect((await store.getDispatch(first!))?.providerMessageId).toBe(`P-${first}`);
    expect((await store.findDispatchByProviderId('test', `P-${first}`))?.id).toBe(first);
    expect((await store.getDispatch(second!))?.providerMessageId).toBeNull();
    expect(await store.listDispatchErrors(scheduled.dispatches[1]!.id)).toEqual([
      { dispatchId: scheduled.dispatches[1]!.id, error: 'busy', at: NOW },
    ]);
  });
});
