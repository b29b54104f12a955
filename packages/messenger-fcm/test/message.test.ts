import { MessageType, ValidationError } from '@sitemsg/core';
import type { CompiledMessage, PushPayload } from '@sitemsg/core/plugin';
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkPush,
  isRegistrationToken,
  MAX_PAYLOAD_BYTES,
  payloadBytes,
  tokensFromField,
} from '../src/index.js';
import { type Rig, rig, TOKENS } from './fixtures/setup.js';

const push = (p: Partial<PushPayload>): PushPayload => ({ body: 'Hello', ...p });

describe('push payload checks (what FCM would refuse with INVALID_ARGUMENT)', () => {
  it('counts the data and notification keys and values in bytes, and refuses more than 4096', () => {
    expect(payloadBytes(push({ title: 'Hé', data: { k: 'v' } }))).toBe(
      'k'.length + 'v'.length + 'title'.length + 3 + 'body'.length + 5,
    );
    const fits = push({ body: '', data: { d: 'x'.repeat(MAX_PAYLOAD_BYTES - 1) } });
    expect(payloadBytes(fits)).toBe(MAX_PAYLOAD_BYTES);
    expect(checkPush(fits)).toBeNull();
    expect(checkPush(push({ body: 'é'.repeat(2044) }))).toBeNull();
    expect(checkPush(push({ body: 'é'.repeat(2047) }))).toMatch(
      /the push payload is 4098 bytes and FCM takes at most 4096/,
    );
  });

  it('refuses reserved data keys, non-string values, out-of-range TTLs, long collapse keys, bad badges, nothing to send', () => {
    expect(checkPush(push({ data: { from: 'x' } }))).toMatch(/"from" is reserved by FCM/);
    expect(checkPush(push({ data: { google_x: 'x' } }))).toMatch(/reserved/);
    expect(checkPush(push({ data: { gcm_id: 'x' } }))).toMatch(/reserved/);
    expect(checkPush(push({ data: { message_type: 'x' } }))).toMatch(/reserved/);
    expect(checkPush(push({ data: { collapse_key: 'x', fromage: 'brie' } }))).toBeNull();
    expect(checkPush(push({ data: { n: 1 as unknown as string } }))).toMatch(/must be a string/);
    expect(checkPush(push({ ttlSeconds: 2_419_201 }))).toMatch(
      /ttlSeconds must be a whole number of seconds from 0 to 2419200/,
    );
    expect(checkPush(push({ ttlSeconds: 1.5 }))).toMatch(/ttlSeconds/);
    expect(checkPush(push({ ttlSeconds: 2_419_200 }))).toBeNull();
    expect(checkPush(push({ collapseKey: 'k'.repeat(65) }))).toMatch(/collapseKey must be 1 to 64 bytes/);
    expect(checkPush(push({ badge: -1 }))).toMatch(/badge/);
    expect(checkPush(push({ body: ' ' }))).toMatch(/no title, body or data/);
    expect(checkPush(push({ body: '', title: 'Only a title' }))).toBeNull();
  });
});

describe('registration tokens', () => {
  it('takes a token or a list from the user field, drops blanks and duplicates', () => {
    expect(tokensFromField(undefined)).toEqual([]);
    expect(tokensFromField(null)).toEqual([]);
    expect(tokensFromField(` ${TOKENS[0]} `)).toEqual([TOKENS[0]]);
    expect(tokensFromField([TOKENS[0], '', TOKENS[1], TOKENS[0]])).toEqual([TOKENS[0], TOKENS[1]]);
    expect(tokensFromField([TOKENS[0], 42])).toEqual([TOKENS[0], 42]);
  });

  it('accepts FCM-shaped tokens only', () => {
    expect(TOKENS.every(isRegistrationToken)).toBe(true);
    expect(isRegistrationToken('short:APA91b')).toBe(false);
    expect(isRegistrationToken(`${TOKENS[0]} `)).toBe(false);
    expect(isRegistrationToken(`${TOKENS[0].slice(0, 40)}…`)).toBe(false);
    expect(isRegistrationToken(42)).toBe(false);
  });
});

class Oversized extends MessageType<Record<string, never>> {
  static override alias = 'oversized';
  static override compile(): CompiledMessage {
    return { text: 'x', push: { title: 'Too big', body: 'x'.repeat(5000) } };
  }
}

let current: Rig | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

describe('through the engine', () => {
  it('refuses a push over 4 KB at scheduling, and a user whose token field holds a non-token', async () => {
    current = await rig({}, { messageTypes: [Oversized] });
    const { sitemsg, fake } = current;
    await expect(
      sitemsg.scheduleMessages(new Oversized({}), sitemsg.recipients('fcm', TOKENS[0])),
    ).rejects.toMatchObject({
      code: 'MESSAGE_NOT_SENDABLE',
      message: expect.stringMatching(/and FCM takes at most 4096/),
    });
    expect(() => sitemsg.recipients('fcm', { id: 1, fcmTokens: [TOKENS[0], 'not a token'] })).toThrow(
      ValidationError,
    );
    expect(fake.sends).toEqual([]);
  });
});
