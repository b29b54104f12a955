import { ALL_MESSAGE_TYPES, type FeedbackRecord } from '@sitemsg/core/plugin';
import { describe, expect, it } from 'vitest';
import { at, claim, MESSENGER, OTHER_MESSENGER, SECOND, schedule, TYPE } from './fixtures.js';
import { type StoreHarness, session } from './harness.js';

function feedback(dispatchId: string, overrides: Partial<FeedbackRecord> = {}): FeedbackRecord {
  return {
    dispatchId,
    kind: 'delivered',
    bounce: null,
    providerCode: null,
    detail: null,
    eventId: null,
    at: at(SECOND),
    ...overrides,
  };
}

/** Provider message ids, feedback records, and suppressions of every message type. */
export function feedbackCases(harness: StoreHarness): void {
  describe('delivery feedback', () => {
    it('keeps the provider message id of a sent dispatch and finds the dispatch by it, per messenger', async () => {
      const store = await session(harness).open();
      const { dispatches } = await schedule(store, { addresses: ['a@x.test', 'b@x.test'] });
      const [a, b] = dispatches;
      await claim(store);
      await store.complete(
        'w1',
        [
          { dispatchId: a!.id, status: 'sent', providerMessageId: 'SM-1' },
          { dispatchId: b!.id, status: 'sent' },
        ],
        at(SECOND),
      );
      expect(await store.getDispatch(a!.id)).toMatchObject({ status: 'sent', providerMessageId: 'SM-1' });
      expect(await store.getDispatch(b!.id)).toMatchObject({ status: 'sent', providerMessageId: null });
      expect((await store.findDispatchByProviderId(MESSENGER, 'SM-1'))?.id).toBe(a!.id);
      expect(await store.findDispatchByProviderId(OTHER_MESSENGER, 'SM-1')).toBeNull();
      expect(await store.findDispatchByProviderId(MESSENGER, 'SM-2')).toBeNull();
    });

    it("keeps a sent outcome's receipt on the dispatch as given (JSON), and null without one", async () => {
      const store = await session(harness).open();
      const { dispatches } = await schedule(store, { addresses: ['a@x.test', 'b@x.test', 'c@x.test'] });
      const [a, b, c] = dispatches;
      const receipt = { segments: 3, encoding: 'UCS-2', price: '0.0333', note: 'zürich ☎', parts: [1, 2] };
      await claim(store);
      await store.complete(
        'w1',
        [
          { dispatchId: a!.id, status: 'sent', providerMessageId: 'SM-r', receipt },
          { dispatchId: b!.id, status: 'sent' },
          { dispatchId: c!.id, status: 'error', error: 'later', nextAttemptAt: at(60 * SECOND) },
        ],
        at(SECOND),
      );
      expect((await store.getDispatch(a!.id))?.receipt).toEqual(receipt);
      expect((await store.findDispatchByProviderId(MESSENGER, 'SM-r'))?.receipt).toEqual(receipt);
      expect((await store.listDispatches({ status: 'sent' })).find((d) => d.id === a!.id)?.receipt).toEqual(
        receipt,
      );
      expect((await store.getDispatch(b!.id))?.receipt).toBeNull();
      expect((await store.getDispatch(c!.id))?.receipt).toBeNull();
    });

    it('records feedback on a dispatch once per provider event id, oldest first', async () => {
      const store = await session(harness).open();
      const { dispatches } = await schedule(store, { addresses: ['a@x.test'] });
      const id = dispatches[0]!.id;
      expect(await store.addFeedback(feedback(id, { kind: 'delivered', eventId: 'ev-1' }))).toBe(true);
      expect(await store.addFeedback(feedback(id, { kind: 'delivered', eventId: 'ev-1' }))).toBe(false);
      const bounce = feedback(id, {
        kind: 'bounced',
        bounce: 'soft',
        providerCode: '4.2.2',
        detail: 'mailbox full',
        at: at(2 * SECOND),
      });
      expect(await store.addFeedback(bounce)).toBe(true);
      expect(await store.addFeedback(feedback(id, { kind: 'read', at: at(3 * SECOND) }))).toBe(true);
      expect(await store.addFeedback(feedback(id, { kind: 'read', at: at(3 * SECOND) }))).toBe(true);
      const list = await store.listFeedback(id);
      expect(list.map((f) => f.kind)).toEqual(['delivered', 'bounced', 'read', 'read']);
      expect(list[0]).toEqual(feedback(id, { kind: 'delivered', eventId: 'ev-1' }));
      expect(list[1]).toEqual(bounce);
      expect(await store.listFeedback('no-such-dispatch')).toEqual([]);
      for (const unknown of ['no-such-dispatch', '987654321']) {
        await expect(store.addFeedback(feedback(unknown))).rejects.toMatchObject({
          code: 'UNKNOWN_DISPATCH',
        });
        expect(await store.listFeedback(unknown)).toEqual([]);
      }
    });

    it('suppresses an address for every message type with "*", and lifts suppressions', async () => {
      const store = await session(harness).open();
      const recipients = [
        { messenger: MESSENGER, address: 'dead@x.test' },
        { messenger: OTHER_MESSENGER, address: 'dead@x.test' },
      ];
      expect(await store.addSuppression({ messageType: ALL_MESSAGE_TYPES, ...recipients[0]! })).toBe(true);
      expect(await store.addSuppression({ messageType: ALL_MESSAGE_TYPES, ...recipients[0]! })).toBe(false);
      expect(
        await store.addSuppression({ messageType: TYPE, messenger: OTHER_MESSENGER, address: 'dead@x.test' }),
      ).toBe(true);
      expect((await store.findSuppressed('any_type', recipients)).map((s) => s.messenger)).toEqual([
        MESSENGER,
      ]);
      expect((await store.findSuppressed(TYPE, recipients)).map((s) => s.messenger).sort()).toEqual(
        [MESSENGER, OTHER_MESSENGER].sort(),
      );
      const { dispatches } = await schedule(store, {
        message: { type: 'another_type' },
        dispatches: [
          { messenger: MESSENGER, address: 'dead@x.test', userId: null },
          { messenger: MESSENGER, address: 'alive@x.test', userId: null },
        ],
      });
      if (store.filtersSuppressedOnSchedule)
        expect(dispatches.map((d) => d.address)).toEqual(['alive@x.test']);
      expect(
        await store.removeSuppressions({ messenger: MESSENGER, address: 'dead@x.test', messageType: '*' }),
      ).toBe(1);
      expect(await store.findSuppressed('any_type', recipients)).toEqual([]);
      expect(await store.removeSuppressions({ messenger: OTHER_MESSENGER, address: 'dead@x.test' })).toBe(1);
      expect(await store.findSuppressed(TYPE, recipients)).toEqual([]);
    });
  });
}
