import type { DispatchCounts } from '@sitemsg/core/plugin';
import { describe, expect, it } from 'vitest';
import { addresses, at, claim, MINUTE, outcome, SECOND, type Settled, schedule, settle } from './fixtures.js';
import { type StoreHarness, session } from './harness.js';

const ZERO: DispatchCounts = { pending: 0, processing: 0, sent: 0, error: 0, failed: 0 };

/** What `complete` writes, the error log and the counts. */
export function completionCases(harness: StoreHarness): void {
  describe('completion', () => {
    it('writes sent, error and failed outcomes of one batch, and logs each error', async () => {
      const store = await session(harness).open();
      await schedule(store, { addresses: ['sent@x.test', 'error@x.test', 'failed@x.test'] });
      const claimed = await claim(store);
      const by = (address: string) => claimed.find((c) => c.dispatch.address === address)!.dispatch.id;
      const now = at(SECOND);
      const written = await store.complete(
        'w1',
        [
          { dispatchId: by('sent@x.test'), status: 'sent' },
          {
            dispatchId: by('error@x.test'),
            status: 'error',
            error: '421 try later',
            nextAttemptAt: at(MINUTE),
          },
          { dispatchId: by('failed@x.test'), status: 'failed', error: '550 no such user' },
        ],
        now,
      );
      expect(written).toBe(3);
      const released = { leaseOwner: null, leaseExpiresAt: null, attempts: 1 };
      expect(await store.getDispatch(by('sent@x.test'))).toMatchObject({
        ...released,
        status: 'sent',
        dispatchedAt: now,
      });
      expect(await store.getDispatch(by('error@x.test'))).toMatchObject({
        ...released,
        status: 'error',
        lastError: '421 try later',
        nextAttemptAt: at(MINUTE),
      });
      expect(await store.getDispatch(by('failed@x.test'))).toMatchObject({
        ...released,
        status: 'failed',
        lastError: '550 no such user',
      });
      expect(await store.listDispatchErrors(by('sent@x.test'))).toEqual([]);
      expect(await store.listDispatchErrors(by('error@x.test'))).toMatchObject([
        { dispatchId: by('error@x.test'), error: '421 try later', at: now },
      ]);
      expect(await store.listDispatchErrors(by('failed@x.test'))).toMatchObject([
        { dispatchId: by('failed@x.test'), error: '550 no such user', at: now },
      ]);
      expect(await store.countDispatches()).toEqual({ ...ZERO, sent: 1, error: 1, failed: 1 });
    });

    it('keeps every error of a dispatch in its log, oldest first', async () => {
      const store = await session(harness).open();
      const { dispatches } = await schedule(store, { addresses: ['flaky@x.test'] });
      const id = dispatches[0]!.id;
      await settle(store, at(0), () => 'error');
      await settle(store, at(MINUTE), () => 'error');
      await settle(store, at(2 * MINUTE), () => 'failed');
      const log = await store.listDispatchErrors(id);
      expect(log.map((e) => e.at)).toEqual([at(0), at(MINUTE), at(2 * MINUTE)]);
      expect(log.every((e) => e.dispatchId === id && e.error === 'boom')).toBe(true);
      expect(await store.getDispatch(id)).toMatchObject({ status: 'failed', attempts: 3 });
      expect(await store.listDispatchErrors('no-such-dispatch')).toEqual([]);
    });

    it('counts dispatches by status and lists them by message and status', async () => {
      const store = await session(harness).open();
      expect(await store.countDispatches()).toEqual(ZERO);
      const one = await schedule(store, { addresses: ['s1', 's2', 'e1'] });
      const two = await schedule(store, { addresses: ['f1', 'p1'], now: at(SECOND) });
      const decide = (address: string): Settled =>
        address.startsWith('s') ? 'sent' : address.startsWith('e') ? 'error' : 'failed';
      const claimed = (await claim(store, { now: at(SECOND) })).filter((c) => c.dispatch.address !== 'p1');
      const now = at(2 * SECOND);
      await store.complete(
        'w1',
        claimed.map(({ dispatch }) => outcome(dispatch.id, decide(dispatch.address), now, 'x')),
        now,
      );
      await schedule(store, { addresses: ['n1'], now: at(3 * SECOND) });
      expect(await store.countDispatches()).toEqual({
        pending: 1,
        processing: 1,
        sent: 2,
        error: 1,
        failed: 1,
      });
      expect(addresses(await store.listDispatches({}))).toEqual(['e1', 'f1', 'n1', 'p1', 's1', 's2']);
      expect(addresses(await store.listDispatches({ status: 'sent' }))).toEqual(['s1', 's2']);
      expect(addresses(await store.listDispatches({ messageId: two.message.id }))).toEqual(['f1', 'p1']);
      expect(addresses(await store.listDispatches({ messageId: one.message.id, status: 'error' }))).toEqual([
        'e1',
      ]);
      expect(await store.listDispatches({ messageId: two.message.id, status: 'sent' })).toEqual([]);
    });
  });
}
