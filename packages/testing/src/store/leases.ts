import { describe, expect, it } from 'vitest';
import { at, claim, ids, SECOND, schedule, T0 } from './fixtures.js';
import { type StoreHarness, session } from './harness.js';

const LEASE = 30 * SECOND;

/** Leases expire, are renewed only by their owner, and fence every write. */
export function leaseCases(harness: StoreHarness): void {
  describe('leases', () => {
    it('lets another worker reclaim a dispatch whose lease expired, and fences the first one out', async () => {
      const s = session(harness);
      const [a, b] = [await s.open(), await s.open()];
      const { dispatches } = await schedule(a, { addresses: ['a@x.test', 'b@x.test'] });
      const held = await claim(a, { owner: 'worker-a', now: T0, leaseMs: LEASE });
      expect(held).toHaveLength(2);
      expect(await claim(b, { owner: 'worker-b', now: at(LEASE - 1) })).toEqual([]);
      const taken = await claim(b, { owner: 'worker-b', now: at(LEASE), leaseMs: LEASE });
      expect(ids(taken)).toEqual(ids([...dispatches]));
      for (const c of taken) {
        expect(c.dispatch).toMatchObject({ status: 'processing', attempts: 2, leaseOwner: 'worker-b' });
        expect(c.dispatch.leaseExpiresAt).toEqual(at(2 * LEASE));
      }
      const late = held.map((c) => ({ dispatchId: c.dispatch.id, status: 'sent' as const }));
      expect(await a.complete('worker-a', late, at(LEASE + 1))).toBe(0);
      for (const c of taken) {
        expect(await a.getDispatch(c.dispatch.id)).toMatchObject({
          status: 'processing',
          leaseOwner: 'worker-b',
          dispatchedAt: null,
        });
      }
      expect(await b.complete('worker-b', late, at(LEASE + 2))).toBe(2);
      expect((await a.countDispatches()).sent).toBe(2);
    });

    it('extends the leases their owner still holds, and only those', async () => {
      const s = session(harness);
      const [a, b] = [await s.open(), await s.open()];
      await schedule(a, { addresses: ['a@x.test', 'b@x.test'] });
      const held = await claim(a, { owner: 'worker-a', now: T0, leaseMs: LEASE });
      const heldIds = ids(held);
      const until = at(3 * LEASE);
      expect(await b.renewLeases('worker-b', heldIds, at(10 * LEASE))).toBe(0);
      expect(await a.renewLeases('worker-a', [...heldIds, 'no-such-dispatch'], until)).toBe(2);
      for (const id of heldIds) {
        expect(await b.getDispatch(id)).toMatchObject({ leaseOwner: 'worker-a', leaseExpiresAt: until });
      }
      expect(await b.claim({ owner: 'worker-b', limit: 10, now: at(2 * LEASE), leaseMs: LEASE })).toEqual([]);
      expect(ids(await claim(b, { owner: 'worker-b', now: until }))).toEqual(heldIds);
      expect(await a.renewLeases('worker-a', heldIds, at(10 * LEASE))).toBe(0);
    });

    it('writes outcomes only for dispatches the owner holds', async () => {
      const store = await session(harness).open();
      const { dispatches } = await schedule(store, { addresses: ['held@x.test', 'pending@x.test'] });
      const [held] = await claim(store, { limit: 1 });
      const pending = dispatches.find((d) => d.id !== held!.dispatch.id)!;
      const sent = (dispatchId: string) => ({ dispatchId, status: 'sent' as const });
      expect(await store.complete('intruder', [sent(held!.dispatch.id)], at(SECOND))).toBe(0);
      expect(await store.complete('w1', [sent(pending.id), sent('no-such-dispatch')], at(SECOND))).toBe(0);
      expect(await store.getDispatch(pending.id)).toMatchObject({ status: 'pending', attempts: 0 });
      expect(await store.complete('w1', [sent(held!.dispatch.id)], at(SECOND))).toBe(1);
      expect(await store.complete('w1', [sent(held!.dispatch.id)], at(2 * SECOND))).toBe(0);
      expect(await store.getDispatch(held!.dispatch.id)).toMatchObject({
        status: 'sent',
        dispatchedAt: at(SECOND),
      });
    });
  });
}
