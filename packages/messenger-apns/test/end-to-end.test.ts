/**
 * A user with three devices, one of them gone: through the engine, two pushes arrive, the dead token
 * comes back as address-invalid feedback, is suppressed, the application hears of it once, and the
 * next message is scheduled for the two live devices only.
 */
import { type CompiledMessage, MessageType, type RenderContext } from '@sitemsg/core';
import { expect, it } from 'vitest';
import { rig, TOKENS } from './fixtures/setup.js';

class OrderShipped extends MessageType<{ orderId: string }> {
  static override alias = 'order_shipped';
  static override title = 'Order shipped';
  static override compile(r: RenderContext): CompiledMessage {
    const orderId = String(r.context.orderId);
    return {
      text: `Order ${orderId} is on its way.`,
      push: {
        title: 'Shipped',
        body: `Order ${orderId} is on its way.`,
        badge: 1,
        sound: 'default',
        threadId: `order-${orderId}`,
        data: { orderId },
      },
    };
  }
}

it('sends to the live tokens, records the dead one as address-invalid, suppresses it and schedules around it', async () => {
  const t = await rig();
  try {
    t.sitemsg.registerMessageTypes(OrderShipped);
    const [live1, dead, live2] = TOKENS;
    const unregisteredAt = Date.parse('2026-02-20T10:00:00Z');
    t.fake.unregister(dead, unregisteredAt);
    const heard: string[] = [];
    t.sitemsg.on('feedback:recorded', (f) => void heard.push(`${f.kind}:${f.address}:${f.suppressed}`));
    const user = { id: 'u1', apnsTokens: [live1, dead.toUpperCase(), live2] };

    const [first] = await t.sitemsg.scheduleMessages(
      new OrderShipped({ orderId: '42' }),
      t.sitemsg.recipients('apns', user),
    );
    expect(first!.dispatches.map((d) => d.address)).toEqual([live1, dead, live2]);
    expect(await t.sitemsg.sendScheduledMessages()).toEqual({ sent: 2, error: 0, failed: 1, skipped: 0 });

    // Two pushes arrived, each with the type's push part.
    expect(t.fake.accepted.map((a) => a.token).sort()).toEqual([live1, live2].sort());
    for (const push of t.fake.accepted) {
      expect(push.payload).toEqual({
        orderId: '42',
        aps: {
          alert: { title: 'Shipped', body: 'Order 42 is on its way.' },
          badge: 1,
          sound: 'default',
          'thread-id': 'order-42',
        },
      });
    }
    // Sent dispatches keep the apns-id APNs answered with.
    const sent = await t.store.listDispatches({ status: 'sent' });
    expect(sent.map((d) => d.providerMessageId).sort()).toEqual(t.fake.accepted.map((a) => a.apnsId).sort());

    // The dead token: failed, one address-invalid feedback, suppressed, the application told once.
    const failed = await t.store.listDispatches({ status: 'failed' });
    expect(failed.map((d) => d.address)).toEqual([dead]);
    expect(failed[0]!.lastError).toContain('410 Unregistered');
    const feedback = await t.store.listFeedback(failed[0]!.id);
    expect(feedback).toHaveLength(1);
    expect(feedback[0]).toMatchObject({ kind: 'address-invalid', providerCode: 'Unregistered' });
    expect(feedback[0]!.detail).toContain('inactive since 2026-02-20T10:00:00.000Z');
    expect(heard).toEqual([`address-invalid:${dead}:true`]);
    expect(
      await t.store.findSuppressed('order_shipped', [{ messenger: 'apns', address: dead }]),
    ).toHaveLength(1);
    expect(t.addressInvalid).toEqual([{ address: dead, userId: 'u1' }]);

    // The next message for the same user: two dispatches, none for the dead token.
    const [second] = await t.sitemsg.scheduleMessages(
      new OrderShipped({ orderId: '43' }),
      t.sitemsg.recipients('apns', user),
    );
    expect(second!.dispatches.map((d) => d.address)).toEqual([live1, live2]);
    expect(await t.sitemsg.sendScheduledMessages()).toEqual({ sent: 2, error: 0, failed: 0, skipped: 0 });
    expect(t.fake.requests.filter((r) => r.path === `/3/device/${dead}`)).toHaveLength(1);
    expect(t.addressInvalid).toHaveLength(1);
  } finally {
    await t.close();
  }
});
