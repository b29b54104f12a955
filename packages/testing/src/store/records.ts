import type { JsonObject } from '@sitemsg/core/plugin';
import { describe, expect, it } from 'vitest';
import { at, claim, SECOND, schedule } from './fixtures.js';
import { type StoreHarness, session } from './harness.js';

/** A context with what JSON can hold and stores tend to mangle. */
const AWKWARD_CONTEXT: JsonObject = {
  text: 'Grüße, 世界! مرحبا 👋🏽 e\u0301 "quoted" \\ back\nslash\ttab',
  empty: '',
  zero: 0,
  negative: -42,
  float: 1234.5678,
  tiny: 1e-7,
  big: Number.MAX_SAFE_INTEGER,
  yes: true,
  no: false,
  nothing: null,
  list: [1, 'two', null, [3, [4]], { five: 5 }],
  emptyList: [],
  emptyObject: {},
  nested: { deeper: { deepest: { items: [{ id: 'a' }, { id: 'b' }] } } },
  'dotted.key': 'kept',
  $dollar: 'kept',
  'spaced key': 'kept',
  numericString: '00123',
  isoDate: '2026-01-01T00:00:00.000Z',
};

/** Reading records back: unknown ids and contexts. */
export function recordCases(harness: StoreHarness): void {
  describe('records', () => {
    it('answers null for unknown message and dispatch ids, whatever their shape', async () => {
      const store = await session(harness).open();
      const { message, dispatches } = await schedule(store);
      for (const id of ['no-such-id', '0', '999999999', '00000000-0000-0000-0000-000000000000', "'; --"]) {
        if (id === message.id || dispatches.some((d) => d.id === id)) continue;
        expect(await store.getMessage(id)).toBeNull();
        expect(await store.getDispatch(id)).toBeNull();
      }
    });

    it('round-trips a context exactly, through every read path', async () => {
      const s = session(harness);
      const store = await s.open();
      const ready = await schedule(store, { message: { context: AWKWARD_CONTEXT } });
      const postponed = await schedule(store, {
        message: { context: AWKWARD_CONTEXT, dispatchesReady: false },
        dispatches: [],
      });
      expect(ready.message.context).toEqual(AWKWARD_CONTEXT);
      const other = await s.open();
      expect((await other.getMessage(ready.message.id))?.context).toEqual(AWKWARD_CONTEXT);
      const [claimed] = await claim(other, { now: at(SECOND) });
      expect(claimed?.message.context).toEqual(AWKWARD_CONTEXT);
      const [waiting] = await other.listPostponedMessages(1);
      expect(waiting?.id).toBe(postponed.message.id);
      expect(waiting?.context).toEqual(AWKWARD_CONTEXT);
      expect(JSON.stringify(sortKeys(claimed!.message.context))).toBe(
        JSON.stringify(sortKeys(AWKWARD_CONTEXT)),
      );
    });
  });
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => [k, sortKeys(v)]),
  );
}
