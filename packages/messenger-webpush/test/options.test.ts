/** Options are checked at construction; the private key is never shown, logged or quoted. */
import { inspect } from 'node:util';
import { ConfigurationError } from '@sitemsg/core';
import { describe, expect, it } from 'vitest';
import {
  checkVapidKeys,
  generateVapidKeys,
  sitemsgDriver,
  WebPushMessenger,
  type WebPushMessengerOptions,
} from '../src/index.js';
import { SUBJECT, VAPID } from './fixtures/setup.js';

const valid: WebPushMessengerOptions = {
  vapidSubject: SUBJECT,
  vapidPublicKey: VAPID.publicKey,
  vapidPrivateKey: VAPID.privateKey,
};

function refusal(options: Record<string, unknown>): string {
  try {
    new WebPushMessenger(options as unknown as WebPushMessengerOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    const message = (error as Error).message;
    expect(message).not.toContain(VAPID.privateKey);
    return message;
  }
  throw new Error('the options were accepted');
}

describe('WebPushMessenger options', () => {
  it('refuses a missing or unusable VAPID configuration with a ConfigurationError that says what to do', () => {
    expect(refusal({ ...valid, vapidSubject: undefined })).toMatch(/vapidSubject is required/);
    expect(refusal({ ...valid, vapidSubject: 'http://shop.example.com' })).toMatch(
      /mailto: address or an https: URL/,
    );
    expect(refusal({ ...valid, vapidPublicKey: '' })).toMatch(/vapidPublicKey is required/);
    expect(refusal({ ...valid, vapidPublicKey: 'AAAA' })).toMatch(/65-byte uncompressed P-256 point/);
    expect(refusal({ ...valid, vapidPrivateKey: undefined })).toMatch(/vapidPrivateKey is required/);
    expect(refusal({ ...valid, vapidPrivateKey: VAPID.privateKey.slice(4) })).toMatch(/32 bytes/);
    expect(refusal({ ...valid, vapidPublicKey: generateVapidKeys().publicKey })).toMatch(
      /vapidPublicKey does not belong to vapidPrivateKey/,
    );
    expect(checkVapidKeys(SUBJECT, VAPID.publicKey, VAPID.privateKey)).toBeNull();
  });

  it('refuses unknown and misplaced options, and bad values', () => {
    expect(refusal({ ...valid, vapidDetails: {} })).toMatch(
      /unknown option "vapidDetails" \(give vapidSubject/,
    );
    expect(refusal({ ...valid, TTL: 60 })).toMatch(/did you mean ttlSeconds/);
    expect(refusal({ ...valid, ttlSeconds: -1 })).toMatch(/ttlSeconds must be 0 or more/);
    expect(refusal({ ...valid, urgency: 'urgent' })).toMatch(
      /urgency must be one of very-low, low, normal, high/,
    );
    expect(refusal({ ...valid, concurrency: 0 })).toMatch(/concurrency must be an integer from 1 to 64/);
    expect(refusal({ ...valid, pushServiceHosts: [] })).toMatch(/pushServiceHosts must be a non-empty list/);
    expect(refusal({ ...valid, agent: {} })).toMatch(/agent must be an https.Agent/);
  });

  it('never shows the private key: not in inspect, JSON or its getters', () => {
    const messenger = new WebPushMessenger(valid);
    expect(inspect(messenger, { depth: 10, showHidden: true })).not.toContain(VAPID.privateKey);
    expect(JSON.stringify(messenger)).not.toContain(VAPID.privateKey);
    expect(messenger.vapidPublicKey).toBe(VAPID.publicKey);
  });
});

describe('driver "webpush"', () => {
  const context = { name: 'push', primary: true } as Parameters<typeof sitemsgDriver.create>[1];

  it('builds a messenger from a configuration with environment overrides (strings)', () => {
    const messenger = sitemsgDriver.create(
      {
        vapidSubject: SUBJECT,
        vapidPublicKey: VAPID.publicKey,
        vapidPrivateKey: VAPID.privateKey,
        ttlSeconds: '600',
        concurrency: '4',
        pushServiceHosts: 'fcm.googleapis.com, *.push.apple.com',
      },
      context,
    ) as WebPushMessenger;
    expect(messenger).toBeInstanceOf(WebPushMessenger);
    expect(messenger.alias).toBe('push');
    expect(messenger.primary).toBe(true);
    expect(
      messenger.validateAddress(JSON.stringify({ endpoint: 'https://web.push.apple.com/x', keys: {} })),
    ).toBe(false);
  });

  it('refuses options a file cannot set, and quotes no key when the keys are wrong', () => {
    expect(() => sitemsgDriver.create({ ...valid, alias: 'x' }, context)).toThrow(
      /cannot be set in a configuration file/,
    );
    expect(() =>
      sitemsgDriver.create({ ...valid, vapidPublicKey: generateVapidKeys().publicKey }, context),
    ).toThrow(expect.objectContaining({ message: expect.not.stringContaining(VAPID.privateKey) }));
  });
});
