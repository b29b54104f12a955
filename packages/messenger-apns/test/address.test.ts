/** Device tokens: what is accepted, how it is stored, and how a user's tokens become addresses. */
import { ValidationError } from '@sitemsg/core/plugin';
import { describe, expect, it } from 'vitest';
import { ApnsMessenger, parseDeviceToken } from '../src/index.js';
import { optionsFor, startFake, TOKENS } from './fixtures/setup.js';

describe('parseDeviceToken', () => {
  it('takes hex tokens of 32 to 100 bytes and stores them lowercase without separators', () => {
    expect(parseDeviceToken(TOKENS[0])).toBe(TOKENS[0]);
    expect(parseDeviceToken(TOKENS[0].toUpperCase())).toBe(TOKENS[0]);
    expect(parseDeviceToken(`  ${TOKENS[0]}  `)).toBe(TOKENS[0]);
    const spaced = `<${TOKENS[0].match(/.{8}/g)!.join(' ')}>`;
    expect(parseDeviceToken(spaced)).toBe(TOKENS[0]);
    expect(parseDeviceToken('ab'.repeat(100))).toBe('ab'.repeat(100));
  });

  it.each([
    ['too short', 'ab'.repeat(31)],
    ['too long', 'ab'.repeat(101)],
    ['odd length', `${TOKENS[0]}a`],
    ['not hex', `${TOKENS[0].slice(0, 62)}zz`],
    ['empty', ''],
    ['a number', 42],
    [
      'base64 (an FCM token is not an APNs token)',
      'dGhpcyBpcyBub3QgYSBoZXggdG9rZW4gYXQgYWxsLCBpdCBpcyBiYXNlNjQ=',
    ],
  ])('refuses %s', (_name, raw) => {
    expect(parseDeviceToken(raw)).toBeUndefined();
  });
});

describe("a user's device tokens", () => {
  async function messenger(tokensField?: string) {
    const fake = await startFake();
    await fake.close();
    return new ApnsMessenger(optionsFor(fake, tokensField === undefined ? {} : { tokensField }));
  }

  it('resolves a user to every token in the field (normalised, duplicates once), and to none when there are none', async () => {
    const m = await messenger();
    expect(m.multipleAddresses).toBe(true);
    expect(
      m.resolveAddresses({ id: 1, apnsTokens: [TOKENS[0], TOKENS[1].toUpperCase(), TOKENS[1]] }),
    ).toEqual({
      ok: true,
      value: [TOKENS[0], TOKENS[1]],
    });
    expect(m.resolveAddresses({ id: 1, apnsTokens: TOKENS[2] })).toEqual({ ok: true, value: [TOKENS[2]] });
    expect(m.resolveAddresses({ id: 1 })).toEqual({ ok: true, value: [] });
    expect(m.resolveAddresses({ id: 1, apnsTokens: [] })).toEqual({ ok: true, value: [] });
  });

  it('reads another field when told', async () => {
    const m = await messenger('iosDevices');
    expect(m.resolveAddresses({ id: 1, iosDevices: [TOKENS[0]], apnsTokens: [TOKENS[1]] })).toEqual({
      ok: true,
      value: [TOKENS[0]],
    });
  });

  it('refuses a user with a malformed token, naming the user and the token, so that it is fixed rather than skipped', async () => {
    const m = await messenger();
    const result = m.resolveAddresses({ id: 7, apnsTokens: [TOKENS[0], 'oops'] });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(ValidationError);
    expect(result.error.code).toBe('BAD_ADDRESS');
    expect(result.error.message).toBe(
      `[sitemsg] [apns] user 7's "oops" is not an APNs device token: the hex string the app got from registerForRemoteNotifications (64 hex digits or more).`,
    );
  });

  it('stores a raw token normalised', async () => {
    const m = await messenger();
    expect(m.resolveAddresses(TOKENS[0].toUpperCase())).toEqual({ ok: true, value: [TOKENS[0]] });
    expect(m.resolveAddress('nope').ok).toBe(false);
  });
});
