import { describe, expect, it } from 'vitest';
import { addresses, at, claim, MINUTE, newMessage, SECOND, schedule, T0, to } from './fixtures.js';
import { type StoreHarness, session } from './harness.js';

/** A message and its dispatches are written together; an idempotency key writes once. */
export function schedulingCases(harness: StoreHarness): void {
  describe('scheduling', () => {
    it('writes the message and all its dispatches in one call', async () => {
      const store = await session(harness).open();
      const result = await store.schedule({
        message: newMessage({ context: { text: 'hi' }, senderId: '42', priority: 3, idempotencyKey: 'k-1' }),
        dispatches: [
          { messenger: 'conformance-one', address: 'a@x.test', userId: '7' },
          { messenger: 'conformance-one', address: 'b@x.test', userId: null },
          { messenger: 'conformance-two', address: '+15550001', userId: null },
        ],
        now: T0,
      });
      expect(result.outcome).toBe('created');
      expect(result.message).toMatchObject({
        type: 'conformance_plain',
        context: { text: 'hi' },
        senderId: '42',
        priority: 3,
        dispatchesReady: true,
        createdAt: T0,
        sendAt: null,
        idempotencyKey: 'k-1',
        groupMark: null,
      });
      expect(typeof result.message.id).toBe('string');
      expect(result.dispatches).toHaveLength(3);
      for (const d of result.dispatches) {
        expect(d).toMatchObject({
          messageId: result.message.id,
          status: 'pending',
          readStatus: 'unread',
          attempts: 0,
          lastError: null,
          providerMessageId: null,
          receipt: null,
          leaseOwner: null,
          leaseExpiresAt: null,
          createdAt: T0,
          dispatchedAt: null,
          readAt: null,
        });
      }
      expect(new Set(result.dispatches.map((d) => d.id)).size).toBe(3);
      const a = result.dispatches.find((d) => d.address === 'a@x.test');
      expect(a?.userId).toBe('7');
      expect(await store.getMessage(result.message.id)).toEqual(result.message);
      const stored = await store.listDispatches({ messageId: result.message.id });
      expect(sortById(stored)).toEqual(sortById(result.dispatches));
      for (const d of result.dispatches) expect(await store.getDispatch(d.id)).toEqual(d);
    });

    it('makes a message visible to other workers only together with its dispatches', async () => {
      const s = session(harness);
      const writer = await s.open();
      const reader = await s.open();
      const many = Array.from({ length: 50 }, (_, i) => `r${i}@x.test`);
      let done = false;
      const seen: string[] = [];
      const watch = (async () => {
        while (!done) {
          for (const c of await claim(reader, { owner: 'reader', now: at(SECOND), limit: 1000 })) {
            expect(c.message.id).toBe(c.dispatch.messageId);
            expect(c.message.context).toEqual({ text: 'hello' });
            seen.push(c.dispatch.id);
          }
        }
      })();
      const written = await schedule(writer, { addresses: many });
      done = true;
      await watch;
      const rest = await claim(reader, { owner: 'reader', now: at(SECOND), limit: 1000 });
      expect(addresses([...written.dispatches])).toEqual([...many].sort());
      expect([...seen, ...rest.map((c) => c.dispatch.id)].sort()).toEqual(
        written.dispatches.map((d) => d.id).sort(),
      );
    });

    it('returns the first message for a repeated idempotency key and writes nothing new', async () => {
      const s = session(harness);
      const store = await s.open();
      const first = await schedule(store, {
        message: { idempotencyKey: 'order-1' },
        addresses: ['a@x.test'],
      });
      const before = await store.countDispatches();
      const again = await schedule(store, {
        message: { idempotencyKey: 'order-1', context: { text: 'other' } },
        addresses: ['b@x.test', 'c@x.test'],
        now: at(SECOND),
      });
      expect(again.outcome).toBe('duplicate');
      expect(again.dispatches).toEqual([]);
      expect(again.message.id).toBe(first.message.id);
      expect(again.message.context).toEqual({ text: 'hello' });
      expect(await store.countDispatches()).toEqual(before);
      expect(addresses(await store.listDispatches({ messageId: first.message.id }))).toEqual(['a@x.test']);

      const otherWorker = await s.open();
      const fromOther = await schedule(otherWorker, { message: { idempotencyKey: 'order-1' } });
      expect(fromOther.outcome).toBe('duplicate');
      expect(fromOther.message.id).toBe(first.message.id);

      const fresh = await schedule(store, { message: { idempotencyKey: 'order-2' } });
      expect(fresh.outcome).toBe('created');
      expect(fresh.message.id).not.toBe(first.message.id);
    });

    it('lets exactly one of two concurrent schedules with one idempotency key create the message', async () => {
      const s = session(harness);
      const [one, two] = [await s.open(), await s.open()];
      const results = await Promise.all([
        schedule(one, { message: { idempotencyKey: 'race' }, addresses: ['a@x.test', 'b@x.test'] }),
        schedule(two, { message: { idempotencyKey: 'race' }, addresses: ['a@x.test', 'b@x.test'] }),
      ]);
      expect(results.map((r) => r.outcome).sort()).toEqual(['created', 'duplicate']);
      expect(results[0]?.message.id).toBe(results[1]?.message.id);
      expect((await one.countDispatches()).pending).toBe(2);
    });

    it('does not let dispatches of a message scheduled for later be claimed before its sendAt', async () => {
      const store = await session(harness).open();
      const sendAt = at(60 * 60 * SECOND);
      const later = await schedule(store, { message: { sendAt }, addresses: ['later@x.test'] });
      const past = await schedule(store, { message: { sendAt: at(-SECOND) }, addresses: ['now@x.test'] });
      expect(later.message.sendAt).toEqual(sendAt);
      expect(addresses(await claim(store, { now: T0, leaseMs: 2 * 60 * MINUTE }))).toEqual(['now@x.test']);
      expect(await claim(store, { now: new Date(sendAt.getTime() - 1) })).toEqual([]);
      const due = await claim(store, { now: sendAt });
      expect(addresses(due)).toEqual(['later@x.test']);
      expect(past.outcome).toBe('created');
    });

    it('keeps dispatches on different messengers apart', async () => {
      const store = await session(harness).open();
      const result = await schedule(store, {
        dispatches: [...to(['same@x.test']), ...to(['same@x.test'], 'conformance-two')],
      });
      expect(result.dispatches.map((d) => d.messenger).sort()).toEqual([
        'conformance-one',
        'conformance-two',
      ]);
    });
  });
}

function sortById<T extends { id: string }>(list: readonly T[]): T[] {
  return [...list].sort((a, b) => (a.id < b.id ? -1 : 1));
}
