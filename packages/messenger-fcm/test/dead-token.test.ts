/**
 * End to end, for each answer FCM gives for a dead or foreign token: a user with three tokens, one
 * of them dead → two pushes sent, one address-invalid feedback recorded with FCM's code, the dead
 * token suppressed, onAddressInvalid called once, and the next scheduling writes two dispatches.
 */
import { type AddressInvalid, PlainTextMessage } from '@sitemsg/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type ScriptedAnswer, TOKEN_ANSWERS } from './fixtures/fake-fcm.js';
import { type Rig, rig, TOKENS } from './fixtures/setup.js';

let current: Rig | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

const DEAD: readonly [string, ScriptedAnswer, string][] = [
  ['404 UNREGISTERED', TOKEN_ANSWERS.unregistered, 'UNREGISTERED'],
  ['400 INVALID_ARGUMENT naming the token', TOKEN_ANSWERS.invalid, 'INVALID_ARGUMENT'],
  ['400 INVALID_ARGUMENT with a message.token violation', TOKEN_ANSWERS.invalidField, 'INVALID_ARGUMENT'],
  ['403 SENDER_ID_MISMATCH', TOKEN_ANSWERS.senderMismatch, 'SENDER_ID_MISMATCH'],
];

describe('a dead token among a user’s devices', () => {
  for (const [name, answer, providerCode] of DEAD) {
    it(`${name}: two sent, the dead one suppressed once and for all`, async () => {
      const invalid: AddressInvalid[] = [];
      current = await rig({}, { onAddressInvalid: (event) => void invalid.push(event) });
      const { fake, sitemsg, store } = current;
      const [alive1, dead, alive2] = TOKENS;
      fake.refused.set(dead, answer);
      const user = { id: 'u-7', fcmTokens: [alive1, dead, alive2] };

      const [first] = await sitemsg.scheduleMessages(
        new PlainTextMessage('Your order shipped.'),
        sitemsg.recipients('fcm', user),
      );
      expect(first!.dispatches.map((d) => d.address)).toEqual([alive1, dead, alive2]);
      expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 2, failed: 1 });

      expect(fake.accepted.map((m) => m.token).sort()).toEqual([alive1, alive2].sort());
      const [failed] = await store.listDispatches({ status: 'failed' });
      expect(failed!.address).toBe(dead);
      expect(failed!.attempts).toBe(1);
      expect(await store.listFeedback(failed!.id)).toEqual([
        expect.objectContaining({ kind: 'address-invalid', providerCode, dispatchId: failed!.id }),
      ]);
      const messageType = first!.message.type;
      expect(
        await store.findSuppressed(
          messageType,
          [alive1, dead, alive2].map((address) => ({ messenger: 'fcm', address })),
        ),
      ).toEqual([expect.objectContaining({ messenger: 'fcm', address: dead })]);
      expect(invalid).toEqual([expect.objectContaining({ messenger: 'fcm', address: dead, userId: 'u-7' })]);

      const [next] = await sitemsg.scheduleMessages(
        new PlainTextMessage('Your order arrived.'),
        sitemsg.recipients('fcm', user),
      );
      expect(next!.dispatches.map((d) => d.address)).toEqual([alive1, alive2]);
      expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 2, failed: 0 });
      expect(invalid).toHaveLength(1);
      expect(fake.sends.filter((s) => s.body.message?.token === dead)).toHaveLength(1);
    });
  }

  it('a token refused for another reason (a bad data field, a 5xx) is not suppressed', async () => {
    const invalid: AddressInvalid[] = [];
    current = await rig({}, { onAddressInvalid: (event) => void invalid.push(event) });
    const { fake, sitemsg, store } = current;
    fake.refused.set(TOKENS[1], {
      status: 400,
      body: {
        error: { code: 400, message: 'Request contains an invalid argument.', status: 'INVALID_ARGUMENT' },
      },
    });
    const user = { id: 'u-8', fcmTokens: [...TOKENS] };
    await sitemsg.scheduleMessages(new PlainTextMessage('Hello'), sitemsg.recipients('fcm', user));
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 2, failed: 1 });
    const [failed] = await store.listDispatches({ status: 'failed' });
    expect(await store.listFeedback(failed!.id)).toEqual([]);
    expect(invalid).toEqual([]);
    const [next] = await sitemsg.scheduleMessages(
      new PlainTextMessage('Again'),
      sitemsg.recipients('fcm', user),
    );
    expect(next!.dispatches).toHaveLength(3);
  });
});
