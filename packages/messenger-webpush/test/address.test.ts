/** Subscriptions as addresses: canonical form, shape checks at scheduling, users with several. */
import { ValidationError } from '@sitemsg/core';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PUSH_SERVICE_HOSTS,
  hostAllowed,
  parseSubscription,
  WebPushMessenger,
} from '../src/index.js';
import { newUserAgentKeys } from './fixtures/ece.js';
import { SUBJECT, VAPID } from './fixtures/setup.js';

const keys = newUserAgentKeys();
const P256DH = keys.ecdh.getPublicKey().toString('base64url');
const AUTH = keys.authSecret.toString('base64url');
const FCM = 'https://fcm.googleapis.com/fcm/send/dGVzdC1zdWJzY3JpcHRpb24';
const canonical = (endpoint: string) => JSON.stringify({ endpoint, keys: { p256dh: P256DH, auth: AUTH } });

const messenger = new WebPushMessenger({
  vapidSubject: SUBJECT,
  vapidPublicKey: VAPID.publicKey,
  vapidPrivateKey: VAPID.privateKey,
});

describe('push subscriptions as addresses', () => {
  it('stores what PushSubscription.toJSON() gives as one canonical JSON string', () => {
    const fromBrowser = { endpoint: FCM, expirationTime: null, keys: { auth: AUTH, p256dh: P256DH } };
    expect(messenger.resolveAddress(JSON.stringify(fromBrowser))).toEqual({
      ok: true,
      value: canonical(FCM),
    });
    // Standard base64 with padding is normalised to base64url.
    const padded = {
      endpoint: FCM,
      keys: {
        p256dh: Buffer.from(P256DH, 'base64url').toString('base64'),
        auth: `${Buffer.from(AUTH, 'base64url').toString('base64')}`,
      },
    };
    expect(parseSubscription(padded, DEFAULT_PUSH_SERVICE_HOSTS)).toMatchObject({
      ok: true,
      value: { address: canonical(FCM) },
    });
  });

  it('writes the endpoint as the URL parser does, so one browser is one address', () => {
    const shouted = JSON.stringify({
      endpoint: 'HTTPS://FCM.googleapis.com:443/fcm/send/dGVzdC1zdWJzY3JpcHRpb24',
      keys: { p256dh: P256DH, auth: AUTH },
    });
    expect(messenger.resolveAddress(shouted)).toEqual({ ok: true, value: canonical(FCM) });
  });

  it.each([
    ['not JSON', 'hello', /it is not JSON/],
    ['an array', '[]', /not a push subscription object/],
    ['no endpoint', JSON.stringify({ keys: { p256dh: P256DH, auth: AUTH } }), /endpoint is missing/],
    ['http endpoint', canonical('http://fcm.googleapis.com/fcm/send/x'), /https: URL \(got http:\)/],
    [
      'unknown host',
      canonical('https://169.254.169.254/latest/meta-data'),
      /host 169\.254\.169\.254 is not a known push service/,
    ],
    ['no keys', JSON.stringify({ endpoint: FCM }), /keys is missing/],
    [
      'short p256dh',
      JSON.stringify({ endpoint: FCM, keys: { p256dh: 'BAAA', auth: AUTH } }),
      /keys\.p256dh must be/,
    ],
    [
      'p256dh off the curve',
      JSON.stringify({
        endpoint: FCM,
        keys: {
          p256dh: Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)]).toString('base64url'),
          auth: AUTH,
        },
      }),
      /keys\.p256dh must be/,
    ],
    [
      'short auth',
      JSON.stringify({ endpoint: FCM, keys: { p256dh: P256DH, auth: 'AAAA' } }),
      /keys\.auth must be the 16-byte/,
    ],
  ])('refuses %s at scheduling with a ValidationError that says why', (_name, address, why) => {
    expect(messenger.validateAddress(address)).toBe(false);
    const result = messenger.resolveAddresses(address);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(ValidationError);
    expect(result.error.code).toBe('BAD_ADDRESS');
    expect(result.error.message).toMatch(
      /^\[sitemsg\] \[webpush\] this address is not a push subscription: /,
    );
    expect(result.error.message).toMatch(why);
    expect(result.error.message).not.toContain(AUTH);
  });

  it('accepts the browsers’ push services by default, and only the hosts given otherwise', () => {
    for (const host of [
      'fcm.googleapis.com',
      'updates.push.services.mozilla.com',
      'web.push.apple.com',
      'wns2-db5p.notify.windows.com',
    ]) {
      expect(hostAllowed(host, DEFAULT_PUSH_SERVICE_HOSTS), host).toBe(true);
    }
    for (const host of [
      'push.apple.com',
      'evil-push.apple.com.example',
      'localhost',
      'fcm.googleapis.com.evil.example',
    ]) {
      expect(hostAllowed(host, DEFAULT_PUSH_SERVICE_HOSTS), host).toBe(false);
    }
    expect(hostAllowed('push.internal', 'any')).toBe(true);
    expect(hostAllowed('push.internal', ['push.internal'])).toBe(true);
  });

  it('resolves a user to every subscription in the field, objects or JSON strings, one per endpoint', () => {
    const other = 'https://updates.push.services.mozilla.com/wpush/v2/gAAAAABn';
    const user = {
      id: 7,
      pushSubscriptions: [
        { endpoint: FCM, expirationTime: null, keys: { p256dh: P256DH, auth: AUTH } },
        canonical(other),
        canonical(FCM), // the same browser stored twice
      ],
    };
    expect(messenger.multipleAddresses).toBe(true);
    expect(messenger.resolveAddresses(user)).toEqual({ ok: true, value: [canonical(FCM), canonical(other)] });
    expect(messenger.resolveAddresses({ id: 8, pushSubscriptions: canonical(FCM) })).toEqual({
      ok: true,
      value: [canonical(FCM)],
    });
    expect(messenger.resolveAddresses({ id: 9 })).toEqual({ ok: true, value: [] });
  });

  it("names the user, the field and the subscription's position when one is unusable", () => {
    const result = messenger.resolveAddresses({
      id: 7,
      pushSubscriptions: [canonical(FCM), { endpoint: FCM }],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toBe(
      "[sitemsg] [webpush] subscription 2 in user 7's pushSubscriptions is not usable: keys is missing (keys: { p256dh, auth }).",
    );
  });

  it('reads another user field when told to', () => {
    const custom = new WebPushMessenger({
      vapidSubject: SUBJECT,
      vapidPublicKey: VAPID.publicKey,
      vapidPrivateKey: VAPID.privateKey,
      subscriptionsField: 'devices',
    });
    expect(custom.resolveAddresses({ id: 1, devices: [canonical(FCM)] })).toEqual({
      ok: true,
      value: [canonical(FCM)],
    });
  });
});
