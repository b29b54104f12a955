/** Options are checked at construction, the driver builds from configuration, and no secret leaks. */
import { inspect } from 'node:util';
import { ConfigurationError } from '@sitemsg/core/plugin';
import { describe, expect, it } from 'vitest';
import { sitemsgDriver, VonageMessenger, type VonageMessengerOptions } from '../src/index.js';
import { API_KEY, API_SECRET, FROM } from './fixtures/setup.js';

const base: VonageMessengerOptions = { apiKey: API_KEY, apiSecret: API_SECRET, from: FROM };

describe('VonageMessenger options', () => {
  it.each([
    [{ apiKey: 'x' }, /apiKey must be/],
    [{ apiSecret: 'short' }, /apiSecret must be/],
    [{ from: 'A sender id too long' }, /from must be a Vonage number/],
    [{ statusCallbackUrl: 'nope' }, /statusCallbackUrl must be an absolute/],
    [{ defaultRegion: 'XX' }, /defaultRegion must be/],
    [{ maxSegments: 101 }, /maxSegments must be/],
    [{ restHost: 'rest.nexmo.com' }, /restHost must be an origin/],
    [{ signatureSecret: 'x' }, /belongs to the webhook handler/],
  ] as const)('refuses %o', (patch, message) => {
    expect(() => new VonageMessenger({ ...base, ...(patch as object) })).toThrow(ConfigurationError);
    expect(() => new VonageMessenger({ ...base, ...(patch as object) })).toThrow(message);
  });

  it('takes a number as from (sent without +) and never shows the secret', () => {
    const messenger = new VonageMessenger({ ...base, from: '+447911123456' });
    expect(inspect(messenger, { depth: 10 })).not.toContain(API_SECRET);
    expect(JSON.stringify(messenger)).not.toContain(API_SECRET);
  });

  it("driver 'vonage' builds from configuration values (strings from env overrides) under the configuration's name", () => {
    expect(sitemsgDriver.name).toBe('vonage');
    const messenger = sitemsgDriver.create(
      { ...base, maxSegments: '2', throttleRetryMs: '3000' },
      { name: 'sms_backup', primary: false },
    );
    expect(messenger).toBeInstanceOf(VonageMessenger);
    expect(messenger.alias).toBe('sms_backup');
    expect(messenger.channel).toBe('vonage');
    expect(messenger.checkCompiled({ text: 'x'.repeat(153 * 3) })).toMatch(/at most 2/);
    expect(() => sitemsgDriver.create({ ...base, apiSecrte: 'x' }, { name: 'sms', primary: false })).toThrow(
      /unknown option "apiSecrte"/,
    );
  });
});
