import type { JsonObject, Store } from '@sitemsg/core/plugin';
import { describe, expect, it } from 'vitest';
import { addresses, at, claim, MINUTE, outcome, SECOND, schedule } from './fixtures.js';
import { type StoreHarness, session } from './harness.js';

const GROUPED = { type: 'conformance_grouped', groupMark: 'post-1' } as const;

/** Joins texts the way core's MessageType.mergeContexts does, and remembers what it was given. */
function joiner(incoming: string, seen: JsonObject[] = []): (existing: JsonObject) => JsonObject {
  return (existing) => {
    seen.push(existing);
    return { ...existing, text: `${String(existing.text)}\n${incoming}` };
  };
}

function group(store: Store, text: string, list: readonly string[], seen?: JsonObject[], now = at(SECOND)) {
  return schedule(store, {
    message: { ...GROUPED, context: { text } },
    addresses: list,
    merge: joiner(text, seen),
    now,
  });
}

/** A message of a type with a group mark joins a pending one of the same type and mark. */
export function groupingCases(harness: StoreHarness): void {
  describe('grouping', () => {
    it('joins a pending message of the same type and mark, adding dispatches for new addresses only', async () => {
      const store = await session(harness).open();
      const first = await group(store, 'one', ['a@x.test', 'b@x.test'], [], at(0));
      expect(first.outcome).toBe('created');
      const seen: JsonObject[] = [];
      const second = await group(store, 'two', ['b@x.test', 'c@x.test'], seen);
      expect(second.outcome).toBe('grouped');
      expect(seen).toEqual([{ text: 'one' }]);
      expect(second.message.id).toBe(first.message.id);
      expect(second.message.context).toEqual({ text: 'one\ntwo' });
      expect(addresses([...second.dispatches])).toEqual(['c@x.test']);
      expect(second.dispatches[0]?.messageId).toBe(first.message.id);
      expect((await store.getMessage(first.message.id))?.context).toEqual({ text: 'one\ntwo' });
      const all = await store.listDispatches({ messageId: first.message.id });
      expect(addresses(all)).toEqual(['a@x.test', 'b@x.test', 'c@x.test']);
      expect((await store.countDispatches()).pending).toBe(3);
    });

    it('keeps other marks, other types and calls without merge apart', async () => {
      const store = await session(harness).open();
      const first = await group(store, 'one', ['a@x.test']);
      const otherMark = await schedule(store, {
        message: { ...GROUPED, groupMark: 'post-2' },
        merge: joiner('x'),
      });
      const otherType = await schedule(store, {
        message: { ...GROUPED, type: 'conformance_other' },
        merge: joiner('x'),
      });
      const noMerge = await schedule(store, { message: GROUPED });
      for (const r of [otherMark, otherType, noMerge]) {
        expect(r.outcome).toBe('created');
        expect(r.message.id).not.toBe(first.message.id);
      }
      expect((await store.getMessage(first.message.id))?.context).toEqual({ text: 'one' });
    });

    it('stops grouping into a message once one of its dispatches was attempted', async () => {
      const s = session(harness);
      const store = await s.open();
      const first = await group(store, 'one', ['a@x.test', 'b@x.test']);
      const [held] = await claim(store, { limit: 1, now: at(2 * SECOND) });
      expect(held?.message.id).toBe(first.message.id);
      const second = await group(await s.open(), 'two', ['c@x.test'], [], at(3 * SECOND));
      expect(second.outcome).toBe('created');
      expect(second.message.id).not.toBe(first.message.id);
      expect(second.message.context).toEqual({ text: 'two' });
      expect((await store.getMessage(first.message.id))?.context).toEqual({ text: 'one' });
      await store.complete('w1', [outcome(held!.dispatch.id, 'sent', at(4 * SECOND))], at(4 * SECOND));
      const third = await group(store, 'three', ['d@x.test'], [], at(MINUTE));
      expect(third.outcome).toBe('grouped');
      expect(third.message.id).toBe(second.message.id);
    });
  });
}
