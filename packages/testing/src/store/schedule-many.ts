import type { JsonObject } from '@sitemsg/core/plugin';
import { describe, expect, it } from 'vitest';
import { claim, newMessage, SECOND, schedule, T0, to } from './fixtures.js';
import { type StoreHarness, session } from './harness.js';

/** Several messages in one call: written in order, as one atomic write. */
export function scheduleManyCases(harness: StoreHarness): void {
  describe('scheduleMany', () => {
    it('writes every message with its dispatches, results in request order', async () => {
      const store = await session(harness).open();
      const first = await schedule(store, { message: { idempotencyKey: 'seen' }, addresses: ['old@x.test'] });
      const results = await store.scheduleMany([
        {
          message: newMessage({ context: { text: 'one' } }),
          dispatches: to(['a@x.test', 'b@x.test']),
          now: T0,
        },
        { message: newMessage({ idempotencyKey: 'seen' }), dispatches: to(['c@x.test']), now: T0 },
        { message: newMessage({ context: { text: 'three' } }), dispatches: to(['d@x.test']), now: T0 },
      ]);
      expect(results.map((r) => r.outcome)).toEqual(['created', 'duplicate', 'created']);
      expect(results[0]!.message.context).toEqual({ text: 'one' });
      expect(results[1]!.message.id).toBe(first.message.id);
      expect(results[2]!.message.context).toEqual({ text: 'three' });
      expect(results.map((r) => r.dispatches.map((d) => d.address))).toEqual([
        ['a@x.test', 'b@x.test'],
        [],
        ['d@x.test'],
      ]);
      for (const r of results) expect(await store.getMessage(r.message.id)).toEqual(r.message);
      const claimed = await claim(store, { now: new Date(T0.getTime() + SECOND) });
      expect(claimed.map((c) => c.dispatch.address).sort()).toEqual([
        'a@x.test',
        'b@x.test',
        'd@x.test',
        'old@x.test',
      ]);
    });

    it('writes nothing when one message cannot be written, and says which', async () => {
      const store = await session(harness).open();
      const group = await schedule(store, {
        message: { groupMark: 'digest', context: { text: 'first' } },
        addresses: ['g@x.test'],
      });
      const refuse = (_existing: JsonObject): JsonObject => {
        throw new Error('merge refused');
      };
      const error = await store
        .scheduleMany([
          { message: newMessage({ context: { text: 'lost?' } }), dispatches: to(['a@x.test']), now: T0 },
          {
            message: newMessage({ groupMark: 'digest', context: { text: 'second' } }),
            dispatches: to(['h@x.test']),
            merge: refuse,
            now: T0,
          },
        ])
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/message 2 of 2/);
      expect(await store.getMessage(group.message.id)).toEqual(group.message);
      expect(await store.countDispatches()).toMatchObject({ pending: 1 });
      const claimed = await claim(store, { now: new Date(T0.getTime() + SECOND) });
      expect(claimed.map((c) => c.dispatch.address)).toEqual(['g@x.test']);
    });

    it('groups a later message of the call into an earlier one with the same mark', async () => {
      const store = await session(harness).open();
      const merge = (existing: JsonObject): JsonObject => ({ text: `${existing.text}+more` });
      const [a, b] = await store.scheduleMany([
        {
          message: newMessage({ groupMark: 'm', context: { text: 'a' } }),
          dispatches: to(['x@x.test']),
          merge,
          now: T0,
        },
        {
          message: newMessage({ groupMark: 'm', context: { text: 'b' } }),
          dispatches: to(['y@x.test']),
          merge,
          now: T0,
        },
      ]);
      expect(a!.outcome).toBe('created');
      expect(b!.outcome).toBe('grouped');
      expect(b!.message.id).toBe(a!.message.id);
      expect((await store.getMessage(a!.message.id))?.context).toEqual({ text: 'a+more' });
      const claimed = await claim(store, { now: new Date(T0.getTime() + SECOND) });
      expect(claimed.map((c) => c.dispatch.address).sort()).toEqual(['x@x.test', 'y@x.test']);
    });

    it('answers a repeated idempotency key within the call with the message written earlier in it', async () => {
      const store = await session(harness).open();
      const [first, again] = await store.scheduleMany([
        { message: newMessage({ idempotencyKey: 'k' }), dispatches: to(['a@x.test']), now: T0 },
        { message: newMessage({ idempotencyKey: 'k' }), dispatches: to(['b@x.test']), now: T0 },
      ]);
      expect(first!.outcome).toBe('created');
      expect(again).toMatchObject({
        outcome: 'duplicate',
        dispatches: [],
        message: { id: first!.message.id },
      });
      const claimed = await claim(store, { now: new Date(T0.getTime() + SECOND) });
      expect(claimed.map((c) => c.dispatch.address)).toEqual(['a@x.test']);
    });

    it('leaves the idempotency keys of a failed call free: the retry creates the messages', async () => {
      const store = await session(harness).open();
      await schedule(store, { message: { groupMark: 'digest' }, addresses: ['g@x.test'] });
      const refuse = (_existing: JsonObject): JsonObject => {
        throw new Error('merge refused');
      };
      const keyed = {
        message: newMessage({ idempotencyKey: 'order-9' }),
        dispatches: to(['a@x.test']),
        now: T0,
      };
      await expect(
        store.scheduleMany([
          keyed,
          {
            message: newMessage({ groupMark: 'digest' }),
            dispatches: to(['h@x.test']),
            merge: refuse,
            now: T0,
          },
        ]),
      ).rejects.toThrow(/message 2 of 2/);
      const [retried] = await store.scheduleMany([keyed]);
      expect(retried!.outcome).toBe('created');
      expect(await store.getMessage(retried!.message.id)).toEqual(retried!.message);
    });
  });
}
