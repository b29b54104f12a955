/** What goes over the wire: the request APNs would have received, header by header and key by key. */
import { MessageType, type RenderContext } from '@sitemsg/core';
import type { CompiledMessage, PushPayload } from '@sitemsg/core/plugin';
import { afterEach, describe, expect, it } from 'vitest';
import { buildNotification, payloadSizeBound } from '../src/apns-payload.js';
import { ApnsDeliveryError, ApnsMessenger, apnsIdFor } from '../src/index.js';
import { BUNDLE_ID, KEY_ID, optionsFor, outgoing, type Rig, rig, TEAM_ID, TOKENS } from './fixtures/setup.js';

let t: Rig;
afterEach(async () => {
  await t.close();
});

/** The one request the fake received for a token. */
function requestTo(token: string) {
  const found = t.fake.requests.filter((r) => r.path === `/3/device/${token}`);
  expect(found).toHaveLength(1);
  return found[0]!;
}

async function sendOne(push: PushPayload | undefined, id = 'd1', token = TOKENS[0]) {
  const [result] = await t.messenger.send([outgoing(id, token, push)]);
  return { result: result!.result, request: requestTo(token) };
}

describe('an alert push on the wire', () => {
  it('posts to /3/device/<token> with the topic, push type, priority, id and a verified provider token', async () => {
    t = await rig();
    const { result, request } = await sendOne({ title: 'Shipped', body: 'Order 42 is on its way.' });
    const apnsId = apnsIdFor(BUNDLE_ID, 'd1');
    expect(result).toEqual({ ok: true, value: { providerMessageId: apnsId } });
    expect(request.method).toBe('POST');
    expect(request.path).toBe(`/3/device/${TOKENS[0]}`);
    expect(request.headers['apns-topic']).toBe(BUNDLE_ID);
    expect(request.headers['apns-push-type']).toBe('alert');
    expect(request.headers['apns-priority']).toBe('10');
    expect(request.headers['apns-id']).toBe(apnsId);
    expect(request.headers['apns-expiration']).toBeUndefined();
    expect(request.headers['apns-collapse-id']).toBeUndefined();
    expect(request.headers.authorization).toMatch(/^bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    // The fake verified the ES256 signature with the key's public half: these are its parts.
    expect(request.jwt?.header).toMatchObject({ alg: 'ES256', kid: KEY_ID });
    expect(request.jwt?.claims).toMatchObject({ iss: TEAM_ID });
    expect(JSON.parse(request.body)).toEqual({
      aps: { alert: { title: 'Shipped', body: 'Order 42 is on its way.' } },
    });
  });

  it('carries badge, sound, thread-id, mutable-content and the data from the push part', async () => {
    t = await rig();
    const { request } = await sendOne({
      title: 'Shipped',
      body: 'On its way.',
      badge: 3,
      sound: 'chime.caf',
      threadId: 'order-42',
      mutableContent: true,
      data: { orderId: '42', screen: 'orders' },
    });
    expect(JSON.parse(request.body)).toEqual({
      orderId: '42',
      screen: 'orders',
      aps: {
        alert: { title: 'Shipped', body: 'On its way.' },
        badge: 3,
        sound: 'chime.caf',
        'thread-id': 'order-42',
        'mutable-content': 1,
      },
    });
    expect(t.fake.accepted.map((a) => a.token)).toEqual([TOKENS[0]]);
  });

  it('sends badge 0 (which clears the badge) and leaves mutable-content out when it is false', async () => {
    t = await rig();
    const { request } = await sendOne({ body: 'Read.', badge: 0, mutableContent: false });
    expect(JSON.parse(request.body)).toEqual({ aps: { alert: { body: 'Read.' }, badge: 0 } });
  });

  it('maps collapse key, time to live and priority to apns-collapse-id, apns-expiration and apns-priority', async () => {
    t = await rig();
    const now = Math.floor(t.clock.now() / 1000);
    const { request } = await sendOne({
      body: 'Score 2-1',
      collapseKey: 'match-7',
      ttlSeconds: 600,
      priority: 'normal',
    });
    expect(request.headers['apns-collapse-id']).toBe('match-7');
    expect(request.headers['apns-expiration']).toBe(String(now + 600));
    expect(request.headers['apns-priority']).toBe('5');
    const high = await t.messenger.send([
      outgoing('d2', TOKENS[1], { body: 'Goal!', priority: 'high', ttlSeconds: 0 }),
    ]);
    expect(high[0]!.result.ok).toBe(true);
    expect(requestTo(TOKENS[1]).headers['apns-priority']).toBe('10');
    expect(requestTo(TOKENS[1]).headers['apns-expiration']).toBe('0');
  });

  it("uses the messenger's priority and time to live for a payload that does not say", async () => {
    t = await rig({ priority: 5, ttlSeconds: 3600 });
    const now = Math.floor(t.clock.now() / 1000);
    const { request } = await sendOne({ body: 'Weekly digest' });
    expect(request.headers['apns-priority']).toBe('5');
    expect(request.headers['apns-expiration']).toBe(String(now + 3600));
  });

  it('reads a message without a push part as title = subject and body = text', async () => {
    t = await rig();
    const item = outgoing('d1', TOKENS[0]);
    const compiled: CompiledMessage = {
      subject: 'Welcome',
      text: 'Thanks for joining.',
      data: { ref: 'w1' },
    };
    await t.messenger.send([{ ...item, compiled }]);
    expect(JSON.parse(requestTo(TOKENS[0]).body)).toEqual({
      ref: 'w1',
      aps: { alert: { title: 'Welcome', body: 'Thanks for joining.' } },
    });
  });

  it('keeps the same apns-id on every attempt of a dispatch, and another for another dispatch', async () => {
    t = await rig();
    await t.messenger.send([outgoing('d7', TOKENS[0]), outgoing('d8', TOKENS[1])]);
    await t.messenger.send([outgoing('d7', TOKENS[2])]);
    const ids = t.fake.requests.map((r) => r.headers['apns-id']);
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(2);
    expect(t.fake.requests.find((r) => r.path.endsWith(TOKENS[2]))?.headers['apns-id']).toBe(
      apnsIdFor(BUNDLE_ID, 'd7'),
    );
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('background and VoIP pushes', () => {
  it('sends a background push as content-available with the data, priority 5 and no alert', async () => {
    t = await rig({ pushType: 'background' });
    const { request } = await sendOne({
      title: 'ignored',
      body: 'ignored',
      badge: 2,
      data: { sync: 'inbox' },
      priority: 'high',
    });
    expect(request.headers['apns-push-type']).toBe('background');
    expect(request.headers['apns-priority']).toBe('5');
    expect(request.headers['apns-topic']).toBe(BUNDLE_ID);
    expect(JSON.parse(request.body)).toEqual({ sync: 'inbox', aps: { 'content-available': 1 } });
  });

  it('sends a VoIP push to the .voip topic', async () => {
    t = await rig({ pushType: 'voip' });
    const { result, request } = await sendOne({
      title: 'Call',
      body: 'Ana is calling',
      data: { callId: 'c1' },
    });
    expect(result.ok).toBe(true);
    expect(request.headers['apns-push-type']).toBe('voip');
    expect(request.headers['apns-topic']).toBe(`${BUNDLE_ID}.voip`);
    expect(JSON.parse(request.body)).toMatchObject({
      callId: 'c1',
      aps: { alert: { body: 'Ana is calling' } },
    });
  });
});

describe('what APNs would refuse is not sent', () => {
  const big = 'x'.repeat(4100);

  it('refuses a payload over 4 KB (5 KB for VoIP) in checkCompiled and at send, without a request', async () => {
    t = await rig();
    const push: PushPayload = { body: big };
    expect(t.messenger.checkCompiled({ text: '', push })).toMatch(
      /has 41\d\d bytes and APNs takes at most 4096/,
    );
    expect(t.messenger.checkCompiled({ text: '', push: { body: 'x'.repeat(4000) } })).toBeNull();
    const [result] = await t.messenger.send([outgoing('d1', TOKENS[0], push)]);
    expect(result!.result.ok).toBe(false);
    if (!result!.result.ok) expect(result!.result.error.retryable).toBe(false);
    expect(t.fake.requests).toEqual([]);
    const voip = new ApnsMessenger(optionsFor(t.fake, { pushType: 'voip' }));
    expect(voip.checkCompiled({ text: '', push })).toBeNull();
    expect(voip.checkCompiled({ text: '', push: { body: 'x'.repeat(5100) } })).toMatch(
      /at most 5120 for VoIP/,
    );
  });

  it('bounds the payload size from above without building it, for any text (escapes, emoji, many data keys)', async () => {
    t = await rig();
    const nasty = ['"\\\u0000\u001f\n', '😀𝄞', '中文字符', '\u2028\u2029', 'plain ascii'];
    for (const pushType of ['alert', 'background', 'voip'] as const) {
      for (const text of nasty) {
        const push: PushPayload = {
          title: text.repeat(3),
          body: text.repeat(20),
          sound: text,
          threadId: text,
          badge: Number.MAX_VALUE,
          mutableContent: true,
          data: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`${text}${i}`, text.repeat(i)])),
        };
        const note = buildNotification(
          push,
          { topic: BUNDLE_ID, pushType, priority: 10, ttlSeconds: 60 },
          0,
          'x',
        );
        expect(payloadSizeBound(push)).toBeGreaterThanOrEqual(Buffer.byteLength(JSON.stringify(note)));
      }
    }
  });

  it.each([
    [{ body: 'x', collapseKey: 'k'.repeat(65) }, /collapse key has 65 bytes/],
    [{ body: 'x', badge: -1 }, /badge/],
    [{ body: 'x', badge: 1.5 }, /badge/],
    [{ body: 'x', sound: 3 }, /sound/],
    [{ body: 'x', data: { aps: 'mine' } }, /"aps"/],
    [{ body: 'x', data: { n: 1 } }, /"n" must be text/],
    [{ body: 'x', threadId: '' }, /thread id/],
    [{ body: 'x', mutableContent: 'yes' }, /mutableContent/],
    [{ body: 'x', priority: 'urgent' }, /priority/],
    [{ body: 'x', ttlSeconds: -5 }, /ttlSeconds/],
    [{ body: '  ' }, /nothing to show/],
    [{ title: 'no body' }, /text body/],
  ])('refuses the push part %j', async (push, reason) => {
    t = await rig();
    expect(t.messenger.checkCompiled({ text: '', push: push as unknown as PushPayload })).toMatch(reason);
  });

  it('refuses at scheduling a message whose push part is too big, writing nothing', async () => {
    t = await rig();
    class Huge extends MessageType<{ n: number }> {
      static override alias = 'huge';
      static override compile(_r: RenderContext): CompiledMessage {
        return { text: 'huge', push: { body: big } };
      }
    }
    t.sitemsg.registerMessageTypes(Huge);
    await expect(
      t.sitemsg.scheduleMessages(new Huge({ n: 1 }), t.sitemsg.recipients('apns', TOKENS[0])),
    ).rejects.toMatchObject({ code: 'MESSAGE_NOT_SENDABLE' });
    expect(await t.store.listDispatches({})).toEqual([]);
  });

  it('fails a stored address that is not a token as address-invalid, without a request', async () => {
    t = await rig();
    const [result] = await t.messenger.send([outgoing('d1', 'not-a-token')]);
    expect(result!.result.ok).toBe(false);
    if (result!.result.ok) return;
    expect(result!.result.error).toBeInstanceOf(ApnsDeliveryError);
    expect(result!.result.error).toMatchObject({ retryable: false, feedback: 'address-invalid' });
    expect(t.fake.requests).toEqual([]);
  });
});
