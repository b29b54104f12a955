/** What goes over the wire to a push service, decrypted there, and what each answer becomes on the dispatch. */
import { MessageType, PlainTextMessage, type RenderContext } from '@sitemsg/core';
import type { CompiledMessage } from '@sitemsg/core/plugin';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_PAYLOAD_BYTES, topicFor, WebPushMessenger, type WebPushSentReceipt } from '../src/index.js';
import { FakePushService, pushError } from './fixtures/fake-push-service.js';
import { messengerOptions, outgoing, type Rig, rig, SUBJECT, VAPID } from './fixtures/setup.js';

let t: Rig;
afterEach(async () => {
  await t.close();
});

/** A message type whose compile says the push notification in full. */
class OrderShippedPush extends MessageType {
  static override alias = 'order_shipped_push';
  static override compile(r: RenderContext): CompiledMessage {
    const order = String(r.context.order);
    return {
      text: `Order ${order} shipped`,
      push: {
        title: 'Your order shipped',
        body: `Order #${order} is on its way.`,
        data: { orderId: order },
        url: `https://shop.example.com/orders/${order}`,
        collapseKey: `order-${order}`,
        badge: 3,
        sound: 'default',
        ttlSeconds: 3600,
        priority: 'high',
      },
    };
  }
}

describe('WebPushMessenger on the wire', () => {
  it('posts an aes128gcm body that decrypts to the notification, with a verified VAPID token, and keeps the Location', async () => {
    t = await rig();
    const subscription = t.service.subscribe(VAPID.publicKey);
    const [scheduled] = await t.sitemsg.scheduleMessages(
      new PlainTextMessage('Your order shipped.'),
      t.sitemsg.recipients('webpush', subscription.address),
    );
    expect(await t.sitemsg.sendScheduledMessages()).toMatchObject({ sent: 1, error: 0, failed: 0 });
    const [request] = t.service.requests;
    expect(request).toMatchObject({ method: 'POST', path: `/push/${subscription.id}` });
    expect(request!.headers['content-encoding']).toBe('aes128gcm');
    expect(request!.headers['content-type']).toBe('application/octet-stream');
    expect(request!.headers.authorization).toMatch(/^vapid t=[\w-]+\.[\w-]+\.[\w-]+, k=[\w-]+$/);
    const [push] = t.service.delivered;
    const dispatchId = scheduled!.dispatches[0]!.id;
    // What the service worker's event.data.json() gives.
    expect(push!.notification).toEqual({ body: 'Your order shipped.', dispatchId });
    expect(push!.vapid).toMatchObject({ aud: t.service.origin, sub: SUBJECT, key: VAPID.publicKey });
    expect(push!.ttl).toBe(2_419_200);
    expect(push!.urgency).toBe('normal');
    expect(push!.topic).toBeUndefined();
    const dispatch = await t.store.getDispatch(dispatchId);
    expect(dispatch?.status).toBe('sent');
    expect(dispatch?.providerMessageId).toBe(push!.location);
    expect(push!.location).toMatch(new RegExp(`^${t.service.origin}/message/[0-9a-f]{32}$`));
  });

  it("sends the type's push payload: title, data, url, tag, badge count, and its TTL, urgency and topic", async () => {
    t = await rig();
    t.sitemsg.registerMessageTypes(OrderShippedPush);
    const subscription = t.service.subscribe(VAPID.publicKey);
    await t.sitemsg.scheduleMessages(
      new OrderShippedPush({ order: '1042' }),
      t.sitemsg.recipients('webpush', subscription.address),
    );
    expect(await t.sitemsg.sendScheduledMessages()).toMatchObject({ sent: 1 });
    const [push] = t.service.delivered;
    expect(push!.notification).toEqual({
      title: 'Your order shipped',
      body: 'Order #1042 is on its way.',
      data: { orderId: '1042' },
      url: 'https://shop.example.com/orders/1042',
      tag: 'order-1042',
      badgeCount: 3,
      sound: 'default',
      dispatchId: expect.any(String),
    });
    expect(push!.ttl).toBe(3600);
    expect(push!.urgency).toBe('high');
    expect(push!.topic).toBe('order-1042');
  });

  it('takes TTL and urgency defaults from the options, and hashes a collapse key that cannot be a Topic', async () => {
    t = await rig({ ttlSeconds: 60, urgency: 'low' });
    const subscription = t.service.subscribe(VAPID.publicKey);
    const item = outgoing('d1', subscription.address);
    const compiled: CompiledMessage = {
      text: 'x',
      push: { body: 'Sale!', collapseKey: 'summer sale: 30% off everything' },
    };
    await t.messenger.send([{ ...item, compiled }]);
    const [push] = t.service.delivered;
    expect(push).toMatchObject({ ttl: 60, urgency: 'low' });
    expect(push!.topic).toBe(topicFor('summer sale: 30% off everything'));
    expect(push!.topic).toMatch(/^[\w-]{32}$/);
  });

  it('refuses a payload over the limit at scheduling, with its size in the reason, and sends nothing', async () => {
    t = await rig();
    const subscription = t.service.subscribe(VAPID.publicKey);
    await expect(
      t.sitemsg.scheduleMessages(
        new PlainTextMessage('x'.repeat(MAX_PAYLOAD_BYTES)),
        t.sitemsg.recipients('webpush', subscription.address),
      ),
    ).rejects.toThrow(/push payload is \d+ bytes of JSON and Web Push carries at most 3993/);
    // Just under the limit goes, and arrives whole.
    const fits = 'y'.repeat(MAX_PAYLOAD_BYTES - 80);
    await t.sitemsg.scheduleMessages(
      new PlainTextMessage(fits),
      t.sitemsg.recipients('webpush', subscription.address),
    );
    expect(await t.sitemsg.sendScheduledMessages()).toMatchObject({ sent: 1 });
    expect(t.service.delivered[0]!.notification.body).toBe(fits);
    expect(t.service.requests[0]!.bodyBytes).toBeLessThanOrEqual(4096);
  });

  it('fails a per-dispatch payload over the limit permanently at send, without a request', async () => {
    t = await rig();
    class PerRecipient extends MessageType {
      static override alias = 'per_recipient';
      static override compile(r: RenderContext): CompiledMessage {
        return { text: `${r.dispatch.id} ${'z'.repeat(4000)}` };
      }
    }
    t.sitemsg.registerMessageTypes(PerRecipient);
    const subscription = t.service.subscribe(VAPID.publicKey);
    await t.sitemsg.scheduleMessages(
      new PerRecipient({}),
      t.sitemsg.recipients('webpush', subscription.address),
    );
    expect(await t.sitemsg.sendScheduledMessages()).toMatchObject({ sent: 0, failed: 1 });
    const [failed] = await t.store.listDispatches({ status: 'failed' });
    expect(failed!.lastError).toMatch(/at most 3993/);
    expect(t.service.requests).toEqual([]);
  });

  it('after a 429 stops that push service for the rest of the batch, and only that one', async () => {
    t = await rig({ concurrency: 1 });
    const other = await new FakePushService().start();
    try {
      const messenger = new WebPushMessenger(messengerOptions(other, { concurrency: 1 })); // one certificate for both
      const here = [t.service.subscribe(VAPID.publicKey), t.service.subscribe(VAPID.publicKey)];
      const there = other.subscribe(VAPID.publicKey);
      t.service.script.push({
        ...pushError(429, 'Too Many Requests', 202),
        headers: { 'Retry-After': '30' },
      });
      const results = await messenger.send([
        outgoing('a', here[0]!.address),
        outgoing('b', here[1]!.address),
        outgoing('c', there.address),
      ]);
      const byId = Object.fromEntries(results.map((r) => [r.dispatchId, r.result]));
      expect(byId.a).toMatchObject({
        ok: false,
        error: { retryable: true, retryAfterMs: 30_000, statusCode: 429 },
      });
      expect(byId.b).toMatchObject({ ok: false, error: { retryable: true, retryAfterMs: 30_000 } });
      expect(byId.c).toMatchObject({ ok: true });
      expect(t.service.requests).toHaveLength(1); // b never went
      expect(other.delivered).toHaveLength(1);
    } finally {
      await other.close();
    }
  });

  it('fails a stored address the options no longer allow permanently, without a request, saying why', async () => {
    t = await rig({ pushServiceHosts: ['push.example.com'] });
    const subscription = t.service.subscribe(VAPID.publicKey); // stored while 127.0.0.1 was allowed
    const [outcome] = await t.messenger.send([outgoing('d1', subscription.address)]);
    expect(outcome!.result).toMatchObject({
      ok: false,
      error: {
        retryable: false,
        message: expect.stringMatching(/host 127\.0\.0\.1 is not a known push service/),
      },
    });
    expect(t.service.requests).toEqual([]);
  });

  it('answers every dispatch of a batch, and reports the Location as the receipt', async () => {
    t = await rig();
    const subs = [1, 2, 3, 4, 5].map(() => t.service.subscribe(VAPID.publicKey));
    const results = await t.messenger.send(subs.map((s, i) => outgoing(`d${i}`, s.address)));
    expect(results).toHaveLength(5);
    for (const { result } of results) {
      expect(result.ok).toBe(true);
      if (result.ok) {
        const receipt = result.value as WebPushSentReceipt;
        expect(receipt.statusCode).toBe(201);
        expect(t.service.delivered.map((d) => d.location)).toContain(receipt.providerMessageId);
      }
    }
  });
});
