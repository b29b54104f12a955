/** Twilio and Vonage registered side by side as two messengers of one application's SMS. */
import { createSitemsg, MemoryStore, PlainTextMessage } from '@sitemsg/core';
import { TwilioMessenger } from '@sitemsg/messenger-twilio';
import { describe, expect, it } from 'vitest';
import { VonageMessenger } from '../src/index.js';
import { FakeVonage } from './fixtures/fake-vonage.js';
import { API_KEY, API_SECRET, FROM } from './fixtures/setup.js';

describe('Twilio and Vonage together', () => {
  it('register as sms and sms_backup, resolve the same user to the same E.164 number, and send independently', async () => {
    const fake = await new FakeVonage(API_KEY, API_SECRET).start();
    const twilio = new TwilioMessenger({
      alias: 'sms',
      primary: true,
      accountSid: `AC${'0'.repeat(32)}`,
      authToken: 'twilio-token-0123456789abcdef',
      from: '+14155550100',
      defaultRegion: 'GB',
    });
    const vonage = new VonageMessenger({
      alias: 'sms_backup',
      apiKey: API_KEY,
      apiSecret: API_SECRET,
      from: FROM,
      restHost: fake.url,
      defaultRegion: 'GB',
    });
    const sitemsg = createSitemsg({ store: new MemoryStore(), messengers: [twilio, vonage] });
    try {
      const user = { id: 3, phone: '07911 123456' };
      expect(sitemsg.recipients('sms', user)[0]!.address).toBe('+447911123456');
      expect(sitemsg.recipients('sms_backup', user)[0]!.address).toBe('+447911123456');
      await sitemsg.scheduleMessages(
        new PlainTextMessage('Backup route.'),
        sitemsg.recipients('sms_backup', user),
      );
      expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 1 });
      expect(fake.accepted.map((a) => a.to)).toEqual(['447911123456']);
    } finally {
      await sitemsg.close();
      await fake.close();
    }
  });
});
