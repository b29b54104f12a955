import { createSitemsg } from '@sitemsg/core';
import { ConfigurationError } from '@sitemsg/core/plugin';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BASE_URL,
  SendgridMessenger,
  type SendgridMessengerOptions,
  sitemsgDriver,
} from '../src/index.js';
import { FakeSendgrid } from './fixtures/fake-sendgrid.js';
import { API_KEY, outgoing } from './fixtures/setup.js';

const base = { apiKey: API_KEY, from: 'news@example.com' };

function configError(options: unknown): ConfigurationError {
  try {
    new SendgridMessenger(options as SendgridMessengerOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error('no ConfigurationError');
}

describe('options', () => {
  it('has the alias sendgrid, the default API origin, and takes alias / title / primary', () => {
    const m = new SendgridMessenger(base);
    expect([m.alias, m.channel, m.primary, m.baseUrl]).toEqual([
      'sendgrid',
      'sendgrid',
      false,
      DEFAULT_BASE_URL,
    ]);
    const named = new SendgridMessenger({
      ...base,
      alias: 'sendgrid_eu',
      title: 'SendGrid EU',
      primary: true,
      baseUrl: 'https://api.eu.sendgrid.com/',
    });
    expect([named.alias, named.channel, named.title, named.primary, named.baseUrl]).toEqual([
      'sendgrid_eu',
      'sendgrid',
      'SendGrid EU',
      true,
      'https://api.eu.sendgrid.com',
    ]);
  });

  it('refuses a missing or malformed apiKey, a missing from, bad values and unknown options', () => {
    expect(configError({ from: 'a@example.com' }).message).toMatch(
      /^\[sitemsg\] \[sendgrid\] apiKey must be a SendGrid API key/,
    );
    const leaked = 'not-a-sendgrid-secret-123';
    const e = configError({ ...base, apiKey: leaked });
    expect(e.message).not.toContain(leaked);
    expect(configError({ apiKey: API_KEY }).message).toMatch(/from is required/);
    expect(configError({ ...base, from: 'nobody' }).message).toMatch(/from must be an e-mail address/);
    expect(configError({ ...base, replyTo: { email: 'x' } }).message).toMatch(
      /replyTo must be an e-mail address/,
    );
    expect(configError({ ...base, baseUrl: 'api.sendgrid.com' }).message).toMatch(
      /baseUrl must be an origin/,
    );
    expect(configError({ ...base, baseUrl: 'https://api.sendgrid.com/v3' }).message).toMatch(
      /baseUrl must be an origin/,
    );
    expect(configError({ ...base, timeoutMs: 0 }).message).toMatch(/timeoutMs/);
    expect(configError({ ...base, concurrency: 0 }).message).toMatch(
      /concurrency must be an integer from 1 to 64/,
    );
    expect(configError({ ...base, sandboxMode: 'yes' }).message).toMatch(/sandboxMode/);
    const unknown = configError({ ...base, sandbox: true });
    expect(unknown.message).toMatch(/unknown option "sandbox"/);
    expect(unknown.message).not.toContain(API_KEY);
  });

  it('accepts from / replyTo as objects', async () => {
    const fake = await new FakeSendgrid(API_KEY).start();
    try {
      const m = new SendgridMessenger({
        ...base,
        from: { email: 'news@example.com', name: 'News' },
        replyTo: { email: 'help@example.com' },
        baseUrl: fake.url,
      });
      await m.send([outgoing('d-1', 'a@example.org')]);
      expect(fake.requests[0]!.body.from).toEqual({ email: 'news@example.com', name: 'News' });
      expect(fake.requests[0]!.body.reply_to).toEqual({ email: 'help@example.com' });
    } finally {
      await fake.close();
    }
  });

  it('keeps each messenger on its own client (two keys, two origins, no shared singleton)', async () => {
    const one = await new FakeSendgrid('SG.one').start();
    const two = await new FakeSendgrid('SG.two').start();
    try {
      const a = new SendgridMessenger({
        apiKey: 'SG.one',
        from: 'a@example.com',
        baseUrl: one.url,
        alias: 'sg_a',
      });
      const b = new SendgridMessenger({
        apiKey: 'SG.two',
        from: 'b@example.com',
        baseUrl: two.url,
        alias: 'sg_b',
      });
      const [ra] = await a.send([outgoing('d-1', 'x@example.org')]);
      const [rb] = await b.send([outgoing('d-2', 'y@example.org')]);
      expect([ra!.result.ok, rb!.result.ok]).toEqual([true, true]);
      expect(one.requests.map((q) => q.headers.authorization)).toEqual(['Bearer SG.one']);
      expect(two.requests.map((q) => q.headers.authorization)).toEqual(['Bearer SG.two']);
    } finally {
      await one.close();
      await two.close();
    }
  });
});

describe('sitemsgDriver', () => {
  it('is the "sendgrid" messenger driver and builds a messenger from configuration values', () => {
    expect([sitemsgDriver.kind, sitemsgDriver.name]).toEqual(['messenger', 'sendgrid']);
    const m = sitemsgDriver.create(
      { apiKey: API_KEY, from: 'news@example.com', sandboxMode: 'true', timeoutMs: '5000', concurrency: '2' },
      { name: 'sendgrid_backup', primary: true },
    );
    expect(m).toBeInstanceOf(SendgridMessenger);
    expect([m.alias, m.primary, m.channel]).toEqual(['sendgrid_backup', true, 'sendgrid']);
    expect(() => createSitemsg({ messengers: [m] })).not.toThrow();
  });

  it('fails at start-up on unknown or missing options, and on alias / primary in the options', () => {
    const ctx = { name: 'sendgrid', primary: false };
    expect(() => sitemsgDriver.create({ apiKey: API_KEY, from: 'a@example.com', form: 'x' }, ctx)).toThrow(
      /unknown option "form"/,
    );
    expect(() => sitemsgDriver.create({ from: 'a@example.com' }, ctx)).toThrow(ConfigurationError);
    expect(() => sitemsgDriver.create({ apiKey: API_KEY, from: 'a@example.com', alias: 'x' }, ctx)).toThrow(
      /cannot be set in a configuration file/,
    );
    expect(() =>
      sitemsgDriver.create({ apiKey: API_KEY, from: 'a@example.com', sandboxMode: 'maybe' }, ctx),
    ).toThrow(/sandboxMode/);
  });
});

describe('unknown and misplaced options', () => {
  it.each([
    [
      'publicKey',
      'MFkw...',
      /unknown option "publicKey" \(it belongs to the event webhook handler \(this package's webhook export\)\)/,
    ],
    ['maxAgeSeconds', 300, /"maxAgeSeconds" \(it belongs to the event webhook handler/],
    ['host', 'smtp.sendgrid.net', /"host" \(SendGrid is reached over HTTPS: set baseUrl/],
    ['apikey', API_KEY, /"apikey" \(did you mean apiKey\?\)/],
    ['timeout', 5000, /"timeout" \(did you mean timeoutMs\?/],
    ['colour', 'blue', /unknown option "colour" \(known: apiKey, from, /],
  ])('%s is a ConfigurationError naming the key and where it belongs', (key, value, message) => {
    const error = configError({ ...base, [key]: value });
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain(API_KEY);
  });

  it('refuses an address with a control character (from, and at scheduling)', () => {
    expect(configError({ ...base, from: 'news\u0001@example.com' }).message).toMatch(
      /from must be an e-mail/,
    );
    const sitemsg = createSitemsg({ messengers: [new SendgridMessenger(base)] });
    for (const address of ['a\u001bb@example.org', 'ab\u0085@example.org', 'ab\ud800@example.org']) {
      expect(() => sitemsg.recipients('sendgrid', address)).toThrow(/is not a valid address/);
    }
  });
});
