// The inbox service and messenger on top of the store: what an application sees. These cases run
// what the inbox package's own tests check on its memory store against every store.
import { createSitemsg, ManualClock } from '@sitemsg/core';
import type { OutgoingDispatch } from '@sitemsg/core/plugin';
import { InboxMessenger, InboxService } from '@sitemsg/inbox';
import { describe, expect, it } from 'vitest';
import { at } from './fixtures.js';
import { type InboxStoreHarness, inboxSession } from './harness.js';

/** `InboxService` and `InboxMessenger` over the store under test. */
export function serviceCases(harness: InboxStoreHarness): void {
  describe('through the service and the engine', () => {
    it('pages with the service’s cursor, messages of one millisecond in the order sent', async () => {
      const store = await inboxSession(harness).open();
      const clock = new ManualClock(at(0));
      const inbox = new InboxService({ store, clock });
      for (let i = 0; i < 5; i++) {
        await inbox.send('u1', `t${i}`, `b${i}`, { i });
        if (i % 2 === 0) clock.advance(1000); // some share a millisecond: the id orders them
      }
      await inbox.send('u2', 'other', 'other');
      const titles: string[][] = [];
      let before: string | null = null;
      do {
        const page = await inbox.getInbox('u1', { limit: 2, before });
        titles.push(page.messages.map((m) => m.title));
        before = page.nextCursor;
      } while (before !== null);
      expect(titles).toEqual([['t4', 't3'], ['t2', 't1'], ['t0']]);
      expect(await inbox.countUnread('u1')).toBe(5);
    });

    it('writes one inbox message when the engine delivers the same dispatch twice', async () => {
      const store = await inboxSession(harness).open();
      const clock = new ManualClock(at(0));
      const inbox = new InboxService({ store, clock });
      const messenger = new InboxMessenger({ inbox });
      const sitemsg = createSitemsg({ clock, messengers: [messenger] });
      try {
        const [scheduled] = await sitemsg.scheduleMessages(
          'Order shipped',
          sitemsg.recipients('inbox', { id: 7 }),
        );
        expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 1, error: 0, failed: 0 });
        const dispatch = scheduled!.dispatches[0]!;
        const again: OutgoingDispatch = {
          dispatch,
          message: scheduled!.message,
          compiled: { text: 'Order shipped' },
          unsubscribeUrl: '',
          markReadUrl: '',
        };
        const [redelivered] = await messenger.send([again]);
        expect(redelivered?.result.ok).toBe(true);
        const { messages } = await inbox.getInbox('7');
        expect(messages).toHaveLength(1);
        expect(messages[0]).toMatchObject({
          title: 'Order shipped',
          metadata: { dispatchId: dispatch.id, messageId: scheduled!.message.id },
          read: false,
        });
      } finally {
        await sitemsg.close();
      }
    });
  });
}
