/**
 * The channel contract end to end: a user with three browsers subscribed, one of them gone (410).
 * Two pushes arrive (decrypted by the push service), the dead subscription gets address-invalid
 * feedback and is suppressed, the application hears of it once, and the next message to the user
 * has two dispatches.
 */
import { MessageType, type RenderContext } from '@sitemsg/core';
import type { CompiledMessage } from '@sitemsg/core/plugin';
import { expect, it } from 'vitest';
import { rig, VAPID } from './fixtures/setup.js';

class PriceDrop extends MessageType {
  static override alias = 'price_drop';
  static override compile(r: RenderContext): CompiledMessage {
    return {
      text: `${String(r.context.item)} is cheaper now`,
      push: { title: 'Price drop', body: `${String(r.context.item)} is cheaper now` },
    };
  }
}

it('three subscriptions, one gone: two sent, one address-invalid, suppressed, onAddressInvalid once, next time two dispatches', async () => {
  const t = await rig();
  try {
    t.sitemsg.registerMessageTypes(PriceDrop);
    const [laptop, phone, oldTablet] = [1, 2, 3].map(() => t.service.subscribe(VAPID.publicKey));
    t.service.unsubscribe(oldTablet!); // the user revoked the permission on the tablet
    const user = { id: 42, pushSubscriptions: [laptop!.toJSON(), phone!.toJSON(), oldTablet!.toJSON()] };

    const [first] = await t.sitemsg.scheduleMessages(
      new PriceDrop({ item: 'Kettle' }),
      t.sitemsg.recipients('webpush', user),
    );
    expect(first!.dispatches.map((d) => d.address)).toEqual([
      laptop!.address,
      phone!.address,
      oldTablet!.address,
    ]);
    expect(await t.sitemsg.sendScheduledMessages()).toMatchObject({ sent: 2, error: 0, failed: 1 });

    expect(t.service.delivered.map((d) => d.subscription.id).sort()).toEqual([laptop!.id, phone!.id].sort());
    for (const push of t.service.delivered) {
      expect(push.notification).toMatchObject({ title: 'Price drop', body: 'Kettle is cheaper now' });
    }
    const dead = first!.dispatches.find((d) => d.address === oldTablet!.address)!;
    const stored = await t.store.getDispatch(dead.id);
    expect(stored?.status).toBe('failed');
    expect(await t.store.listFeedback(dead.id)).toEqual([
      expect.objectContaining({ kind: 'address-invalid', providerCode: '410' }),
    ]);
    expect(t.invalid).toEqual([
      expect.objectContaining({ messenger: 'webpush', address: oldTablet!.address, userId: '42' }),
    ]);

    const [second] = await t.sitemsg.scheduleMessages(
      new PriceDrop({ item: 'Toaster' }),
      t.sitemsg.recipients('webpush', user),
    );
    expect(second!.dispatches.map((d) => d.address)).toEqual([laptop!.address, phone!.address]);
    expect(await t.sitemsg.sendScheduledMessages()).toMatchObject({ sent: 2, failed: 0 });
    expect(t.service.requests.filter((r) => r.path === `/push/${oldTablet!.id}`)).toHaveLength(1);
    expect(t.invalid).toHaveLength(1);
  } finally {
    await t.close();
  }
});
