/** Phone addresses: parsed and normalised with libphonenumber-js, stored as E.164. */
import { PlainTextMessage } from '@sitemsg/core';
import { ValidationError } from '@sitemsg/core/plugin';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePhoneAddress } from '../src/index.js';
import { type Rig, rig } from './fixtures/setup.js';

let t: Rig | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('phone addresses', () => {
  it('parses E.164, national formats in a default region, and whatsapp: addresses', () => {
    expect(parsePhoneAddress('+14155552671')).toEqual({
      channel: 'sms',
      e164: '+14155552671',
      address: '+14155552671',
    });
    expect(parsePhoneAddress('(415) 555-2671', 'US')?.address).toBe('+14155552671');
    expect(parsePhoneAddress('07911 123456', 'GB')?.address).toBe('+447911123456');
    expect(parsePhoneAddress('07911 123456')).toBeUndefined();
    expect(parsePhoneAddress('whatsapp:+44 7911 123456')?.address).toBe('whatsapp:+447911123456');
    for (const bad of ['', 'not a number', '+1', '+44 7911', '1-800-FLOWERS', '+99912345678']) {
      expect(parsePhoneAddress(bad, 'US'), bad).toBeUndefined();
    }
  });

  it('stores raw numbers normalised, reads the user field, and refuses invalid numbers at scheduling', async () => {
    t = await rig({ defaultRegion: 'GB', phoneField: 'mobile' });
    expect(t.sitemsg.recipients('twilio', '07911 123456')).toEqual([
      { messenger: 'twilio', address: '+447911123456', userId: null },
    ]);
    expect(t.sitemsg.recipients('twilio', { id: 7, mobile: '+1 415 555 2671' })).toEqual([
      { messenger: 'twilio', address: '+14155552671', userId: '7' },
    ]);
    expect(() => t!.sitemsg.recipients('twilio', '0123')).toThrow(ValidationError);
    expect(() => t!.sitemsg.recipients('twilio', { id: 8, mobile: 'call me' })).toThrow(
      /is not a valid address/,
    );
    expect(() => t!.sitemsg.recipients('twilio', { id: 9, phone: '+14155552671' })).toThrow(/has no address/);
    await expect(
      t.sitemsg.scheduleMessages(new PlainTextMessage('x'), [
        { messenger: 'twilio', address: '12', userId: null },
      ]),
    ).rejects.toThrow(ValidationError);
  });
});
