import { createSitemsg, EmailTextMessage, MemoryStore } from '@sitemsg/core';
import { describe, expect, it } from 'vitest';
import { waitForReceived } from './batches.js';
import { type MessengerHarness, start } from './harness.js';

/** The messenger inside a real engine: schedule, send, test message. */
export function engineCases(harness: MessengerHarness): void {
  describe('through an engine', () => {
    it('delivers scheduled messages and a test message end to end', async () => {
      const { messenger, provider, validAddresses } = await start(harness, false);
      const store = new MemoryStore();
      const sitemsg = createSitemsg({
        store,
        messengers: [messenger],
        secret: 'conformance-secret-0123456789',
        siteUrl: 'https://example.test',
        workerId: 'conformance-worker',
      });
      try {
        const [first, second, third] = validAddresses;
        const text = 'Scheduled by the messenger conformance suite.';
        const to = sitemsg.recipients(messenger.alias, [first, second]);
        const [scheduled] = await sitemsg.scheduleMessages(new EmailTextMessage('Conformance', text), to);
        expect(scheduled?.dispatches).toHaveLength(2);

        const counts = await sitemsg.sendScheduledMessages();
        expect(counts).toEqual({ sent: 2, error: 0, failed: 0, skipped: 0 });
        const received = await waitForReceived(provider, 2);
        expect(received.map((r) => r.address).sort()).toEqual([first, second].sort());
        for (const r of received) {
          expect(r.text).toContain(text);
          const dispatch = scheduled!.dispatches.find((d) => d.address === r.address);
          if (r.dispatchId !== undefined) expect(r.dispatchId).toBe(dispatch?.id);
        }
        expect((await store.countDispatches()).sent).toBe(2);

        const probe = await sitemsg.sendTestMessage(messenger.alias, {
          to: third,
          text: 'Conformance probe.',
        });
        expect(probe.ok).toBe(true);
        const all = await waitForReceived(provider, 3);
        const arrived = all.find((r) => r.address === third);
        expect(arrived?.text).toContain('Conformance probe.');
      } finally {
        await sitemsg.close();
      }
    }, 30_000);
  });
}
