/** Options are checked at construction, the driver builds from configuration, and the key never leaks. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { ConfigurationError } from '@sitemsg/core/plugin';
import { describe, expect, it } from 'vitest';
import { ApnsMessenger, type ApnsMessengerOptions, sitemsgDriver } from '../src/index.js';
import { BUNDLE_ID, KEY_ID, SIGNING_KEY, TEAM_ID } from './fixtures/setup.js';

const base: ApnsMessengerOptions = {
  key: SIGNING_KEY,
  keyId: KEY_ID,
  teamId: TEAM_ID,
  topic: BUNDLE_ID,
  environment: 'production',
};
/** A line of the key's base64 body: what must never be printed. */
const KEY_LINE = SIGNING_KEY.split('\n')[1]!;

function refusal(options: Record<string, unknown>): string {
  try {
    new ApnsMessenger(options as unknown as ApnsMessengerOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    const message = (error as Error).message;
    expect(message).not.toContain(KEY_LINE);
    return message;
  }
  throw new Error('the options were accepted');
}

describe('ApnsMessenger options', () => {
  it("picks Apple's host for the environment, or the address given", () => {
    expect(new ApnsMessenger(base).endpoint).toBe('api.push.apple.com:443');
    expect(new ApnsMessenger({ ...base, environment: 'sandbox' }).endpoint).toBe(
      'api.sandbox.push.apple.com:443',
    );
    expect(new ApnsMessenger({ ...base, address: '127.0.0.1', port: 2197 }).endpoint).toBe('127.0.0.1:2197');
    const m = new ApnsMessenger(base);
    expect([m.alias, m.channel, m.topic, m.environment, m.pushType]).toEqual([
      'apns',
      'apns',
      BUNDLE_ID,
      'production',
      'alert',
    ]);
  });

  it.each([
    [{ key: undefined }, /key \(the contents of the \.p8 file\) or keyFile/],
    [{ key: 'not a key' }, /key is not a PEM private key/],
    [
      { key: undefined, keyFile: '/nonexistent/AuthKey.p8' },
      /keyFile "\/nonexistent\/AuthKey.p8" could not be read \(ENOENT\)/,
    ],
    [{ keyFile: '/x.p8' }, /give key or keyFile, not both/],
    [{ keyId: 'abc' }, /keyId must be the 10-character Key ID/],
    [{ teamId: 'TEAM' }, /teamId must be the 10-character Team ID/],
    [{ topic: 'shop' }, /topic must be the app's bundle id/],
    [{ topic: `${BUNDLE_ID}.voip` }, /"\.voip" is added/],
    [{ environment: undefined }, /environment must be "production" .* or "sandbox"/],
    [{ environment: 'development' }, /environment must be/],
    [{ pushType: 'liveactivity' }, /pushType must be one of alert, background, voip/],
    [{ priority: 7 }, /priority must be 10, 5 or 1/],
    [{ ttlSeconds: -1 }, /ttlSeconds must be/],
    [{ address: 'https://api.push.apple.com' }, /address must be a host name/],
    [{ port: 0 }, /port must be/],
    [{ ca: 'not pem' }, /ca must be one or more PEM/],
    [{ concurrency: 0 }, /concurrency must be/],
    [{ timeoutMs: 0 }, /timeoutMs must be/],
    [{ healthCacheMs: -1 }, /healthCacheMs/],
    [{ tokensField: '' }, /tokensField/],
    [{ production: true }, /unknown option "production" \(say environment: "production" or "sandbox"\)/],
    [{ bundleId: BUNDLE_ID }, /unknown option "bundleId" \(did you mean topic\?/],
    [{ token: { key: 'k' } }, /unknown option "token"/],
  ])('refuses %j', (change, message) => {
    expect(refusal({ ...base, ...change })).toMatch(message);
  });

  it('refuses a key that is not an APNs signing key (RSA, or another curve), without quoting it', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    const message = refusal({ ...base, key: rsa.toString() });
    expect(message).toMatch(/must be an APNs signing key \(\.p8, an elliptic-curve P-256 key\)/);
    expect(message).not.toContain(rsa.toString().split('\n')[1]);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    expect(refusal({ ...base, key: p384.toString() })).toMatch(/P-256/);
  });

  it('reads the key from keyFile, or from text whose line breaks arrived as "\\n" (an environment variable)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sitemsg-apns-'));
    const file = join(dir, `AuthKey_${KEY_ID}.p8`);
    writeFileSync(file, SIGNING_KEY);
    expect(new ApnsMessenger({ ...base, key: undefined, keyFile: file }).topic).toBe(BUNDLE_ID);
    const escaped = SIGNING_KEY.trim().replace(/\n/g, '\\n');
    expect(new ApnsMessenger({ ...base, key: escaped }).topic).toBe(BUNDLE_ID);
  });

  it('never shows the key: not in inspect, JSON or any error', () => {
    const messenger = new ApnsMessenger(base);
    expect(inspect(messenger, { depth: 10 })).not.toContain(KEY_LINE);
    expect(JSON.stringify(messenger)).not.toContain(KEY_LINE);
    refusal({ ...base, key: SIGNING_KEY.replace('PRIVATE KEY', 'PUBLIC KEY') });
    refusal({ ...base, keyId: SIGNING_KEY });
  });
});

describe("driver 'apns'", () => {
  it("builds from configuration values (strings from env overrides) under the configuration's name", () => {
    expect(sitemsgDriver.name).toBe('apns');
    const messenger = sitemsgDriver.create(
      {
        key: SIGNING_KEY.trim().replace(/\n/g, '\\n'),
        // A Key ID of ten digits arrives from an env override as a number.
        keyId: 1234567890,
        teamId: TEAM_ID,
        topic: BUNDLE_ID,
        environment: 'sandbox',
        pushType: 'background',
        priority: '5',
        port: '2197',
        timeoutMs: '5000',
        concurrency: '64',
      },
      { name: 'ios', primary: true },
    );
    expect(messenger).toBeInstanceOf(ApnsMessenger);
    expect(messenger.alias).toBe('ios');
    expect(messenger.channel).toBe('apns');
    expect(messenger.primary).toBe(true);
    expect((messenger as ApnsMessenger).endpoint).toBe('api.sandbox.push.apple.com:2197');
    expect((messenger as ApnsMessenger).pushType).toBe('background');
  });

  it('refuses what a configuration file cannot set, and unknown options, without quoting the key', () => {
    const config = { ...base } as Record<string, unknown>;
    expect(() => sitemsgDriver.create({ ...config, alias: 'x' }, { name: 'ios', primary: false })).toThrow(
      /cannot be set/,
    );
    expect(() => sitemsgDriver.create({ ...config, keyid: 'x' }, { name: 'ios', primary: false })).toThrow(
      /unknown option "keyid"/,
    );
    try {
      sitemsgDriver.create({ ...config, teamId: 'bad' }, { name: 'ios', primary: false });
    } catch (error) {
      expect(String(error)).not.toContain(KEY_LINE);
    }
  });
});
