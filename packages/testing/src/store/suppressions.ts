import { ALL_MESSAGE_TYPES, ALL_MESSENGERS, type MessengerMedia } from '@sitemsg/core/plugin';
import { describe, expect, it } from 'vitest';
import {
  addresses,
  claim,
  MESSENGER,
  newMessage,
  OTHER_MESSENGER,
  schedule,
  T0,
  TYPE,
  to,
} from './fixtures.js';
import { type StoreHarness, session } from './harness.js';

/** An address suppressed for a message type on a messenger. */
export function suppressionCases(harness: StoreHarness): void {
  describe('suppressions', () => {
    it('adds a suppression once and finds it for that type and messenger only', async () => {
      const store = await session(harness).open();
      const gone = { messageType: 'news', messenger: 'smtp', address: 'gone@x.test' };
      expect(await store.findSuppressed('news', [{ messenger: 'smtp', address: 'gone@x.test' }])).toEqual([]);
      expect(await store.addSuppression(gone)).toBe(true);
      expect(await store.addSuppression(gone)).toBe(false);
      expect(await store.addSuppression({ ...gone, messageType: 'digest', address: 'd@x.test' })).toBe(true);
      const found = await store.findSuppressed('news', [
        { messenger: 'smtp', address: 'kept@x.test' },
        { messenger: 'smtp', address: 'gone@x.test' },
        { messenger: 'sms', address: 'gone@x.test' },
        { messenger: 'smtp', address: 'd@x.test' },
      ]);
      expect(found).toMatchObject([gone]);
      expect(await store.findSuppressed('digest', [{ messenger: 'smtp', address: 'gone@x.test' }])).toEqual(
        [],
      );
      expect(await store.findSuppressed('news', [])).toEqual([]);
    });

    it('schedule() leaves suppressed addresses out when the store says so, else writes what it is given', async () => {
      const store = await session(harness).open();
      await store.addSuppression({ messageType: TYPE, messenger: MESSENGER, address: 'gone@x.test' });
      await store.addSuppression({ messageType: 'other', messenger: MESSENGER, address: 'b@x.test' });
      const given = ['a@x.test', 'gone@x.test', 'b@x.test', 'c"\\q@x.test'];
      const filters = store.filtersSuppressedOnSchedule === true;
      const expected = filters ? ['a@x.test', 'b@x.test', 'c"\\q@x.test'] : given;
      const plain = await schedule(store, { addresses: given });
      expect(addresses([...plain.dispatches])).toEqual([...expected].sort());
      const grouped = { type: TYPE, groupMark: 'g-1' };
      const first = await schedule(store, { message: grouped, addresses: ['a@x.test'], merge: (c) => c });
      const joined = await schedule(store, {
        message: grouped,
        addresses: ['gone@x.test', 'd@x.test'],
        merge: (c) => c,
      });
      expect(joined.outcome).toBe('grouped');
      expect(addresses([...joined.dispatches])).toEqual(filters ? ['d@x.test'] : ['d@x.test', 'gone@x.test']);
      // The ids handed back are those of the rows written, address for address.
      for (const d of [...plain.dispatches, ...joined.dispatches]) {
        expect((await store.getDispatch(d.id))?.address).toBe(d.address);
      }
      const stored = await store.listDispatches({ messageId: first.message.id });
      expect(addresses(stored)).toEqual(
        filters ? ['a@x.test', 'd@x.test'] : ['a@x.test', 'd@x.test', 'gone@x.test'],
      );
    });

    it("answers a claim's suppression question right when it answers it (ClaimedDispatch.suppressed)", async () => {
      const store = await session(harness).open();
      await schedule(store, { addresses: ['typed@x.test', 'all@x.test', 'other@x.test', 'free@x.test'] });
      await store.addSuppression({ messageType: TYPE, messenger: MESSENGER, address: 'typed@x.test' });
      await store.addSuppression({ messageType: '*', messenger: MESSENGER, address: 'all@x.test' });
      await store.addSuppression({ messageType: 'other', messenger: MESSENGER, address: 'other@x.test' });
      const claimed = await claim(store);
      expect(claimed).toHaveLength(4);
      const answers = claimed.filter((c) => c.suppressed !== undefined);
      // Optional: a store that answers answers every claimed dispatch, and as findSuppressed would.
      expect(answers.length === 0 || answers.length === claimed.length).toBe(true);
      const suppressed = answers.filter((c) => c.suppressed).map((c) => c.dispatch.address);
      expect(suppressed.sort()).toEqual(answers.length === 0 ? [] : ['all@x.test', 'typed@x.test']);
    });

    it('keeps a medium-wide suppression once and finds it for every messenger of that medium only', async () => {
      const store = await session(harness).open();
      const media: MessengerMedia = { twilio: 'sms', vonage: 'sms', mail: 'email' };
      const stop = {
        messageType: ALL_MESSAGE_TYPES,
        messenger: ALL_MESSENGERS,
        medium: 'sms',
        address: '+1555',
      };
      expect(await store.addSuppression(stop)).toBe(true);
      expect(await store.addSuppression(stop)).toBe(false);
      const recipients = [
        { messenger: 'twilio', address: '+1555' },
        { messenger: 'vonage', address: '+1555' },
        { messenger: 'later', address: '+1555' },
        { messenger: 'mail', address: '+1555' },
        { messenger: 'vonage', address: '+1666' },
      ];
      expect(await store.findSuppressed(TYPE, recipients, { ...media, later: 'sms' })).toEqual([
        stop,
        stop,
        stop,
      ]);
      // Without the messengers' media nothing ties a messenger to the medium.
      expect(await store.findSuppressed(TYPE, recipients)).toEqual([]);
      // The messenger's own suppression comes before the medium's, a type's own before every type's.
      const own = { messageType: TYPE, messenger: 'vonage', address: '+1555' };
      await store.addSuppression(own);
      expect(await store.findSuppressed(TYPE, recipients.slice(0, 2), media)).toEqual([stop, own]);
      expect(
        await store.removeSuppressions({ messenger: ALL_MESSENGERS, medium: 'email', address: '+1555' }),
      ).toBe(0);
      expect(
        await store.removeSuppressions({ messenger: ALL_MESSENGERS, medium: 'sms', address: '+1555' }),
      ).toBe(1);
      expect(await store.findSuppressed(TYPE, recipients, media)).toEqual([own]);
    });

    it('schedule() and claim() honour medium-wide suppressions through the media they are given', async () => {
      const store = await session(harness).open();
      const media: MessengerMedia = { [MESSENGER]: 'sms', [OTHER_MESSENGER]: 'sms' };
      await store.addSuppression({
        messageType: ALL_MESSAGE_TYPES,
        messenger: ALL_MESSENGERS,
        medium: 'sms',
        address: '+1555',
      });
      await schedule(store, {
        dispatches: [...to(['+1666']), ...to(['+1666'], OTHER_MESSENGER)],
      });
      const given = [...to(['+1555', '+1777']), ...to(['+1555'], OTHER_MESSENGER)];
      const written = await store.schedule({
        message: newMessage(),
        dispatches: given,
        now: T0,
        media,
      });
      const filters = store.filtersSuppressedOnSchedule === true;
      expect(addresses([...written.dispatches])).toEqual(filters ? ['+1777'] : ['+1555', '+1555', '+1777']);
      // A medium-wide STOP that arrives after scheduling: the claim's answer (when it gives one) says so.
      await store.addSuppression({
        messageType: ALL_MESSAGE_TYPES,
        messenger: ALL_MESSENGERS,
        medium: 'sms',
        address: '+1666',
      });
      const claimed = await claim(store, { media });
      const answers = claimed.filter((c) => c.suppressed !== undefined);
      expect(answers.length === 0 || answers.length === claimed.length).toBe(true);
      const suppressed = answers.filter((c) => c.suppressed).map((c) => c.dispatch.address);
      const expected = filters ? ['+1666', '+1666'] : ['+1555', '+1555', '+1666', '+1666'];
      expect(suppressed.sort()).toEqual(answers.length === 0 ? [] : expected);
    });
  });
}
