/** Options are checked at construction, the driver builds from configuration, and no secret leaks. */
import { inspect } from 'node:util';
import { ConfigurationError } from '@sitemsg/core/plugin';
import { describe, expect, it } from 'vitest';
import { sitemsgDriver, TwilioMessenger, type TwilioMessengerOptions } from '../src/index.js';
import { ACCOUNT_SID, AUTH_TOKEN, FROM, SERVICE_SID } from './fixtures/setup.js';

const base: TwilioMessengerOptions = { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: FROM };

describe('TwilioMessenger options', () => {
  it.each([
    [{ accountSid: 'AC123' }, /accountSid must be a Twilio account SID/],
    [{ authToken: 'short' }, /authToken must be/],
    [{ from: undefined }, /from .* or messagingServiceSid is required/],
    [{ messagingServiceSid: SERVICE_SID }, /not both/],
    [{ from: 'not a sender!' }, /from must be an E.164 number/],
    [{ whatsappFrom: '+14155550100' }, /whatsappFrom must be a WhatsApp sender/],
    [{ statusCallbackUrl: '/relative' }, /statusCallbackUrl must be an absolute/],
    [{ defaultRegion: 'XX' }, /defaultRegion must be an ISO 3166 country code/],
    [{ maxSegments: 0 }, /maxSegments must be an integer/],
    [{ baseUrl: 'api.twilio.com' }, /baseUrl must be an origin/],
    [{ statusCallback: 'https://x' }, /did you mean statusCallbackUrl/],
  ] as const)('refuses %o', (patch, message) => {
    expect(() => new TwilioMessenger({ ...base, ...(patch as object) })).toThrow(ConfigurationError);
    expect(() => new TwilioMessenger({ ...base, ...(patch as object) })).toThrow(message);
  });

  it('never shows the auth token: not in errors, not when inspected or serialised', () => {
    const messenger = new TwilioMessenger(base);
    expect(inspect(messenger, { depth: 10 })).not.toContain(AUTH_TOKEN);
    expect(JSON.stringify(messenger)).not.toContain(AUTH_TOKEN);
    try {
      new TwilioMessenger({ ...base, authToken: `${AUTH_TOKEN} x` });
    } catch (error) {
      expect(String(error)).not.toContain(AUTH_TOKEN);
    }
  });

  it("driver 'twilio' builds from configuration values (strings from env overrides) under the configuration's name", () => {
    expect(sitemsgDriver.name).toBe('twilio');
    const messenger = sitemsgDriver.create(
      {
        accountSid: ACCOUNT_SID,
        authToken: AUTH_TOKEN,
        messagingServiceSid: SERVICE_SID,
        maxSegments: '4',
        timeoutMs: '5000',
      },
      { name: 'sms', primary: true },
    );
    expect(messenger).toBeInstanceOf(TwilioMessenger);
    expect(messenger.alias).toBe('sms');
    expect(messenger.primary).toBe(true);
    expect(messenger.checkCompiled({ text: 'x'.repeat(153 * 5) })).toMatch(/at most 4/);
    expect(() => sitemsgDriver.create({ ...base, alias: 'x' }, { name: 'sms', primary: false })).toThrow(
      /cannot be set/,
    );
    expect(() => sitemsgDriver.create({ ...base, authTokn: 'x' }, { name: 'sms', primary: false })).toThrow(
      /unknown option "authTokn"/,
    );
  });
});
