import { inspect } from 'node:util';
import { PlainTextMessage } from '@sitemsg/core';
import { afterEach, describe, expect, it } from 'vitest';
import { FcmMessenger } from '../src/index.js';
import { FCM_SCOPE, TOKEN_ANSWERS, TOKEN_URL } from './fixtures/fake-fcm.js';
import { outgoing, PROJECT_ID, type Rig, rig, SERVICE_ACCOUNT, TOKENS } from './fixtures/setup.js';

let current: Rig | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});
async function start(...args: Parameters<typeof rig>): Promise<Rig> {
  current = await rig(...args);
  return current;
}

describe('FcmMessenger over the wire', () => {
  it('gets an access token with the service account, then posts each message to messages:send with it', async () => {
    const { fake, messenger } = await start();
    const results = await messenger.send([outgoing('d1', TOKENS[0]), outgoing('d2', TOKENS[1])]);

    expect(results.map((r) => r.result.ok)).toEqual([true, true]);
    // One token exchange: a verified RS256 assertion for the messaging scope only.
    expect(fake.tokenRequests).toHaveLength(1);
    const [exchange] = fake.tokenRequests;
    expect(exchange!.grantType).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    expect(exchange!.claims).toMatchObject({
      iss: SERVICE_ACCOUNT.client_email,
      aud: TOKEN_URL,
      scope: FCM_SCOPE,
    });
    const [accessToken] = fake.issuedTokens;
    expect(fake.sends).toHaveLength(2);
    for (const send of fake.sends) {
      expect(send.method).toBe('POST');
      expect(send.path).toBe(`/v1/projects/${PROJECT_ID}/messages:send`);
      expect(send.headers.authorization).toBe(`Bearer ${accessToken}`);
      expect(send.headers['content-type']).toMatch(/^application\/json/);
    }
    expect(fake.sends.map((s) => s.body.message?.token).sort()).toEqual([TOKENS[0], TOKENS[1]].sort());
    expect(fake.sends[0]!.body).toEqual({
      message: {
        token: expect.any(String),
        notification: { title: 'Hi', body: 'Hello from sitemsg' },
        apns: { headers: { 'apns-push-type': 'alert' } },
      },
    });
    // FCM's message name is the provider id.
    for (const { result } of results) {
      expect(result.ok && result.value.providerMessageId).toMatch(
        new RegExp(`^projects/${PROJECT_ID}/messages/0:`),
      );
    }
  });

  it('puts the payload on every platform: android priority/TTL/collapse key, apns headers and aps, webpush headers and link', async () => {
    const { fake, messenger, clock } = await start();
    const push = {
      title: 'Order shipped',
      body: 'Your parcel is on its way.',
      data: { orderId: '1042', deepLink: 'shop://orders/1042' },
      badge: 3,
      sound: 'default',
      collapseKey: 'order-1042',
      ttlSeconds: 3600,
      priority: 'high' as const,
      url: 'https://shop.example.com/orders/1042',
      threadId: 'orders',
      mutableContent: true,
    };
    const [result] = await messenger.send([outgoing('d1', TOKENS[0], push)]);
    expect(result!.result.ok).toBe(true);
    const expiration = String(Math.floor(clock.now() / 1000) + 3600);
    expect(fake.sends[0]!.body).toEqual({
      message: {
        token: TOKENS[0],
        notification: { title: 'Order shipped', body: 'Your parcel is on its way.' },
        data: { orderId: '1042', deepLink: 'shop://orders/1042' },
        android: {
          priority: 'high',
          ttl: '3600s',
          collapse_key: 'order-1042',
          notification: { sound: 'default' },
        },
        apns: {
          headers: {
            'apns-push-type': 'alert',
            'apns-priority': '10',
            'apns-expiration': expiration,
            'apns-collapse-id': 'order-1042',
          },
          payload: { aps: { badge: 3, sound: 'default', 'thread-id': 'orders', 'mutable-content': 1 } },
        },
        webpush: {
          headers: { TTL: '3600', Urgency: 'high', Topic: 'order-1042' },
          // firebase-admin writes this one field in lowerCamelCase, which Google's JSON parsers accept.
          fcmOptions: { link: 'https://shop.example.com/orders/1042' },
        },
      },
    });
  });

  it('sends a data message (no title, empty body) as a background push', async () => {
    const { fake, messenger } = await start();
    const [result] = await messenger.send([
      outgoing('d1', TOKENS[0], { body: '', data: { sync: 'inbox' }, priority: 'normal', ttlSeconds: 0 }),
    ]);
    expect(result!.result.ok).toBe(true);
    expect(fake.sends[0]!.body).toEqual({
      message: {
        token: TOKENS[0],
        data: { sync: 'inbox' },
        android: { priority: 'normal', ttl: '0s' },
        apns: {
          headers: { 'apns-push-type': 'background', 'apns-priority': '5', 'apns-expiration': '0' },
          payload: { aps: { 'content-available': 1 } },
        },
        webpush: { headers: { TTL: '0', Urgency: 'normal' } },
      },
    });
  });

  it('reuses the access token across batches and sends a batch with bounded concurrency', async () => {
    const { fake, messenger } = await start({ concurrency: 2 });
    const many = Array.from({ length: 9 }, (_, i) => outgoing(`d${i}`, TOKENS[i % 3]!));
    const results = await messenger.send(many);
    expect(results.filter((r) => r.result.ok)).toHaveLength(9);
    await messenger.send([outgoing('again', TOKENS[0])]);
    expect(fake.tokenRequests).toHaveLength(1);
    expect(fake.sends).toHaveLength(10);
  });

  it('a 503 is one request on the wire (the SDK does not retry it by itself) and keeps Retry-After', async () => {
    const { fake, messenger } = await start({ concurrency: 1 });
    fake.script.push(TOKEN_ANSWERS.unavailable);
    const [first, second] = await messenger.send([outgoing('d1', TOKENS[0]), outgoing('d2', TOKENS[1])]);
    expect(fake.sends).toHaveLength(1);
    for (const r of [first!, second!]) {
      expect(r.result.ok).toBe(false);
      if (!r.result.ok) {
        expect(r.result.error).toMatchObject({
          retryable: true,
          statusCode: 503,
          providerCode: 'UNAVAILABLE',
          retryAfterMs: 5000,
        });
      }
    }
  });

  it('a connection reset is retried once at once (a dying keep-alive connection), a second one fails retryably', async () => {
    const { fake, messenger } = await start({ concurrency: 1 });
    await messenger.send([outgoing('warm', TOKENS[2])]);
    fake.dropRequests = 1;
    const [once] = await messenger.send([outgoing('d1', TOKENS[0])]);
    expect(once!.result.ok).toBe(true);
    fake.dropRequests = 2;
    const [twice] = await messenger.send([outgoing('d2', TOKENS[1])]);
    expect(twice!.result.ok).toBe(false);
    if (!twice!.result.ok)
      expect(twice!.result.error).toMatchObject({ retryable: true, statusCode: undefined });
    expect(fake.accepted.map((m) => m.token)).toEqual([TOKENS[2], TOKENS[0]]);
  });

  it('schedules to a user’s device tokens and sends one push per token through the engine', async () => {
    const { fake, sitemsg } = await start();
    const user = { id: 7, fcmTokens: [...TOKENS] };
    const [scheduled] = await sitemsg.scheduleMessages(
      new PlainTextMessage('Hello, all devices.'),
      sitemsg.recipients('fcm', user),
    );
    expect(scheduled!.dispatches.map((d) => d.address)).toEqual([...TOKENS]);
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 3 });
    expect(fake.accepted.map((m) => m.token).sort()).toEqual([...TOKENS].sort());
    const sent = await sitemsg.store.listDispatches({ status: 'sent' });
    expect(sent.every((d) => d.providerMessageId?.startsWith(`projects/${PROJECT_ID}/messages/`))).toBe(true);
  });

  it('keeps the private key out of inspect, JSON and errors', async () => {
    const { messenger } = await start();
    const key = SERVICE_ACCOUNT.private_key!.split('\n')[1]!;
    expect(inspect(messenger, { depth: 10 })).not.toContain(key);
    expect(JSON.stringify(messenger)).not.toContain(key);
    expect(messenger).toBeInstanceOf(FcmMessenger);
  });

  it('closes once: a second close() does nothing more', async () => {
    const { messenger } = await start();
    await messenger.close();
    await expect(messenger.close()).resolves.toBeUndefined();
  });
});
