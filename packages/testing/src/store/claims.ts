import type { Store } from '@sitemsg/core/plugin';
import { describe, expect, it } from 'vitest';
import { addresses, at, claim, DAY, ids, MINUTE, SECOND, schedule, T0, to } from './fixtures.js';
import { type StoreHarness, session } from './harness.js';

/** One dispatch per message, each created one second after the previous: `[address, priority]`. */
async function scheduleEach(store: Store, list: readonly (readonly [string, number])[]): Promise<void> {
  for (const [i, [address, priority]] of list.entries()) {
    await schedule(store, { message: { priority }, addresses: [address], now: at(i * SECOND) });
  }
}

/** Which dispatches a claim takes, what it counts and what it leaves alone. */
export function claimCases(harness: StoreHarness): void {
  describe('claims', () => {
    it('takes the highest priority first, then the oldest', async () => {
      const store = await session(harness).open();
      await scheduleEach(store, [
        ['p0-old', 0],
        ['p5-old', 5],
        ['p5-new', 5],
        ['p10', 10],
        ['p0-new', 0],
        ['p-1', -1],
      ]);
      const now = at(MINUTE);
      expect(addresses(await claim(store, { limit: 2, now }))).toEqual(['p10', 'p5-old']);
      const order: string[] = [];
      for (;;) {
        const [next, ...more] = await claim(store, { limit: 1, now });
        if (!next) break;
        expect(more).toEqual([]);
        order.push(next.dispatch.address);
      }
      expect(order).toEqual(['p5-new', 'p0-old', 'p0-new', 'p-1']);
    });

    it('filters on exactly the priority asked for', async () => {
      const store = await session(harness).open();
      await scheduleEach(store, [
        ['p0', 0],
        ['p5-a', 5],
        ['p10', 10],
        ['p5-b', 5],
      ]);
      const now = at(MINUTE);
      expect(await claim(store, { priority: 7, now })).toEqual([]);
      const five = await claim(store, { priority: 5, now });
      expect(addresses(five)).toEqual(['p5-a', 'p5-b']);
      for (const c of five) expect(c.message.priority).toBe(5);
      expect(await claim(store, { priority: 5, now })).toEqual([]);
      expect(addresses(await claim(store, { now }))).toEqual(['p0', 'p10']);
    });

    it('filters on messengers and message types, and an empty filter list claims nothing', async () => {
      const store = await session(harness).open();
      await schedule(store, { dispatches: [...to(['a@one']), ...to(['b@two'], 'conformance-two')] });
      await schedule(store, { message: { type: 'conformance_other' }, addresses: ['c@one'] });
      const now = at(SECOND);
      expect(await claim(store, { messengers: [], now })).toEqual([]);
      expect(await claim(store, { messageTypes: [], now })).toEqual([]);
      expect(addresses(await claim(store, { messengers: ['conformance-two'], now }))).toEqual(['b@two']);
      const others = await claim(store, { messageTypes: ['conformance_other', 'unrelated'], now });
      expect(addresses(others)).toEqual(['c@one']);
      expect(others[0]?.message.type).toBe('conformance_other');
      expect(
        await claim(store, { messengers: ['conformance-two'], messageTypes: ['conformance_plain'], now }),
      ).toEqual([]);
      expect(addresses(await claim(store, { now }))).toEqual(['a@one']);
    });

    it('leases what it takes, counts one attempt each and returns the message with it', async () => {
      const store = await session(harness).open();
      const { message, dispatches } = await schedule(store, {
        message: { context: { text: 'hi', n: 1 } },
        addresses: ['a@x.test', 'b@x.test'],
      });
      const now = at(SECOND);
      const claimed = await claim(store, { owner: 'worker-a', now, leaseMs: 45 * SECOND });
      expect(ids(claimed)).toEqual(ids([...dispatches]));
      for (const c of claimed) {
        expect(c.message).toEqual(message);
        expect(c.dispatch).toMatchObject({
          messageId: message.id,
          status: 'processing',
          attempts: 1,
          leaseOwner: 'worker-a',
          leaseExpiresAt: at(46 * SECOND),
        });
        expect(await store.getDispatch(c.dispatch.id)).toEqual(c.dispatch);
      }
      expect(await claim(store, { owner: 'worker-a', now })).toEqual([]);
      expect(await claim(store, { owner: 'worker-b', now: at(45 * SECOND) })).toEqual([]);
      expect((await store.countDispatches()).processing).toBe(2);
    });

    it('takes at most the limit, and the next claim takes the rest', async () => {
      const store = await session(harness).open();
      const { dispatches } = await schedule(store, { addresses: ['a', 'b', 'c', 'd', 'e'] });
      const first = await claim(store, { limit: 2 });
      const second = await claim(store, { limit: 2 });
      const third = await claim(store, { limit: 2 });
      expect([first.length, second.length, third.length]).toEqual([2, 2, 1]);
      expect(ids([...first, ...second, ...third])).toEqual(ids([...dispatches]));
      expect(await claim(store, { limit: 2 })).toEqual([]);
    });

    it('takes an errored dispatch again at its next attempt time, not before', async () => {
      const store = await session(harness).open();
      await schedule(store, { addresses: ['a@x.test'] });
      const [held] = await claim(store, { now: T0 });
      const id = held!.dispatch.id;
      const retryAt = at(MINUTE);
      const written = await store.complete(
        'w1',
        [{ dispatchId: id, status: 'error', error: 'try later', nextAttemptAt: retryAt }],
        at(SECOND),
      );
      expect(written).toBe(1);
      expect(await store.getDispatch(id)).toMatchObject({
        status: 'error',
        lastError: 'try later',
        nextAttemptAt: retryAt,
        leaseOwner: null,
        attempts: 1,
      });
      expect(await claim(store, { now: new Date(retryAt.getTime() - 1) })).toEqual([]);
      const [again] = await claim(store, { owner: 'w2', now: retryAt });
      expect(again?.dispatch).toMatchObject({ id, status: 'processing', attempts: 2, leaseOwner: 'w2' });
    });

    it('never takes a sent or failed dispatch again', async () => {
      const store = await session(harness).open();
      await schedule(store, { addresses: ['sent@x.test', 'failed@x.test'] });
      const claimed = await claim(store);
      await store.complete(
        'w1',
        claimed.map(({ dispatch }) =>
          dispatch.address === 'sent@x.test'
            ? { dispatchId: dispatch.id, status: 'sent' as const }
            : { dispatchId: dispatch.id, status: 'failed' as const, error: 'no such user' },
        ),
        at(SECOND),
      );
      expect(await claim(store, { owner: 'later', now: at(365 * DAY) })).toEqual([]);
    });
  });
}
