import { createSitemsg, EmailTextMessage, MemoryStore } from '@sitemsg/core';
import { describe, expect, it } from 'vitest';
import { waitForReceived } from './batches.js';
import { type MessengerHarness, start } from './harness.js';

/** A user resolves to all its addresses; each becomes a dispatch of its own, failed alone. */
export function multiAddressCases(harness: MessengerHarness): void {
  describe('users with several addresses', () => {
    it('resolves a user to one address, or to every address on a channel with several', async () => {
      const { messenger, user, userAddress, multiAddressUser } = await start(harness);
      if (!messenger.multipleAddresses) {
        expect(messenger.resolveAddresses(user)).toEqual({ ok: true, value: [userAddress] });
        return;
      }
      if (!multiAddressUser) {
        throw new Error('this messenger overrides addressesFromUser: give the harness a multiAddressUser');
      }
      expect(messenger.resolveAddresses(multiAddressUser.user)).toEqual({
        ok: true,
        value: [...multiAddressUser.addresses],
      });
    });

    it('schedules a dispatch per address of a user, and fails a refused address alone', async () => {
      const { messenger, provider, user, userAddress, multiAddressUser } = await start(harness, false);
      const who = messenger.multipleAddresses ? multiAddressUser : { user, addresses: [userAddress] };
      if (!who)
        throw new Error('this messenger overrides addressesFromUser: give the harness a multiAddressUser');
      const refused = who.addresses[1];
      if (refused !== undefined) provider.failAddress(refused, 'permanent');
      const delivered = who.addresses.filter((a) => a !== refused);
      const sitemsg = createSitemsg({
        store: new MemoryStore(),
        messengers: [messenger],
        workerId: 'conformance',
      });
      try {
        const to = sitemsg.recipients(messenger.alias, who.user);
        const [scheduled] = await sitemsg.scheduleMessages(
          new EmailTextMessage('Devices', 'To every device.'),
          to,
        );
        expect(scheduled!.dispatches.map((d) => d.address)).toEqual([...who.addresses]);
        expect(await sitemsg.sendScheduledMessages()).toMatchObject({
          sent: delivered.length,
          failed: who.addresses.length - delivered.length,
        });
        const received = await waitForReceived(provider, delivered.length);
        expect(received.map((r) => r.address).sort()).toEqual([...delivered].sort());
        const failed = await sitemsg.store.listDispatches({ status: 'failed' });
        expect(failed.map((d) => d.address)).toEqual(refused === undefined ? [] : [refused]);
      } finally {
        await sitemsg.close();
      }
    }, 30_000);
  });
}
