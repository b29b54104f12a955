import { EmailTextMessage } from '@sitemsg/core';
import { ConfigurationError } from '@sitemsg/core/plugin';
import { createTransport } from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { isEmailAddress, messageIdFor, parseMailbox } from '../src/address.js';
import { SmtpMessenger, type SmtpMessengerOptions, sitemsgDriver } from '../src/index.js';
import { engineFor } from './helpers.js';
import { SmtpSink } from './sink.js';

const base = { host: '127.0.0.1', from: 'shop@example.com' };

function build(options: Record<string, unknown>): SmtpMessenger {
  return new SmtpMessenger(options as unknown as SmtpMessengerOptions);
}

describe('SmtpMessenger options', () => {
  it('has the channel alias smtp and can be registered under another', () => {
    expect(SmtpMessenger.alias).toBe('smtp');
    expect(build(base).alias).toBe('smtp');
    const backup = build({ ...base, alias: 'smtp_backup', title: 'Backup', primary: true });
    expect(backup).toMatchObject({ alias: 'smtp_backup', channel: 'smtp', title: 'Backup', primary: true });
  });

  it.each([
    [{ host: '127.0.0.1' }, /from is required/],
    [{ ...base, from: 'not an address' }, /from is required/],
    [{ from: 'a@example.com' }, /host is required/],
    [{ ...base, hots: 'typo' }, /unknown option "hots"/],
    [{ ...base, port: 70_000 }, /port must be an integer from 1 to 65535/],
    [{ ...base, secure: true, requireTLS: true }, /choose secure .* or requireTLS/],
    [{ ...base, pool: false, maxConnections: 3 }, /apply to pooled connections/],
    [{ ...base, auth: { user: 'u' } }, /auth must be \{ user, pass \}/],
    [{ ...base, auth: { user: 'u', pass: 'p', method: 'XOAUTH2' } }, /auth.method must be/],
    [{ ...base, replyTo: 'a@example.com, b@example.com' }, /replyTo must be one e-mail address/],
    [{ ...base, listUnsubscribeMailto: 'mailto:x' }, /listUnsubscribeMailto must be an e-mail address/],
    [{ ...base, healthTimeoutMs: 0 }, /healthTimeoutMs must be an integer/],
    [{ ...base, requireTLS: 'yes' }, /requireTLS must be true or false/],
    [{ transporter: { sendMail: 1 }, from: 'a@example.com' }, /must be a nodemailer transporter/],
  ])('refuses %j', (options, message) => {
    expect(() => build(options)).toThrow(ConfigurationError);
    expect(() => build(options)).toThrow(message);
  });

  it.each([
    [{ ...base, user: 'u', pass: 'p' }, /unknown option "user" \(it belongs in auth: \{ user, pass \}\)/],
    [{ ...base, rejectUnauthorized: false }, /unknown option "rejectUnauthorized" \(it belongs in tls:/],
    [
      { ...base, sitemsg: {} },
      /unknown option "sitemsg" \(it belongs to sitemsgTransport\(\{ sitemsg, messenger \}\)\)/,
    ],
    [{ ...base, apiKey: 'SG.x' }, /unknown option "apiKey" \(it belongs to SendgridMessenger/],
    [{ ...base, hostname: 'h' }, /unknown option "hostname" \(did you mean host\?/],
    [
      { transporter: createTransport({ jsonTransport: true }), from: 'a@example.com', port: 25 },
      /unknown option "port" \(with transporter, the connection is configured in nodemailer's createTransport\(\); or drop transporter\)/,
    ],
    [
      { ...base, auth: { user: 'u', pass: 'p', type: 'OAuth2' } },
      /unknown option "type" \(only password logins/,
    ],
    [{ ...base, colour: 'blue' }, /unknown option "colour": the options are from, replyTo, /],
  ])('names the unknown key of %j and where it belongs', (options, message) => {
    expect(() => build(options)).toThrow(ConfigurationError);
    expect(() => build(options)).toThrow(message);
  });

  it('never puts the password in a configuration error', () => {
    expect(() => build({ ...base, auth: { user: 'u', pass: 'hunter22', extra: 1 } })).toThrow(
      /unknown option "extra"/,
    );
    try {
      build({ ...base, auth: { user: 'u', pass: 'hunter22', extra: 1 } });
    } catch (error) {
      expect(String(error)).not.toContain('hunter22');
    }
  });

  it('accepts from and replyTo as { name, address } and sends them', async () => {
    const sink = await SmtpSink.start({ starttls: false });
    const messenger = build({
      host: '127.0.0.1',
      port: sink.port,
      from: { name: 'Shop, Inc.', address: 'shop@example.com' },
      replyTo: { name: 'Help', address: 'help@example.com' },
      connectionTimeout: 5000,
      greetingTimeout: 5000,
      socketTimeout: 5000,
    });
    const { sitemsg } = engineFor(messenger);
    await sitemsg.scheduleMessages(
      new EmailTextMessage('Hi', 'Hello'),
      sitemsg.recipients('smtp', 'a@example.org'),
    );
    expect((await sitemsg.sendScheduledMessages()).sent).toBe(1);
    expect(sink.arrived[0]!.parsed.from?.value).toEqual([
      { name: 'Shop, Inc.', address: 'shop@example.com' },
    ]);
    expect(sink.arrived[0]!.parsed.replyTo?.value).toEqual([{ name: 'Help', address: 'help@example.com' }]);
    await sitemsg.close();
    await sink.stop();
  });
});

describe('sitemsgDriver', () => {
  let created: SmtpMessenger | undefined;
  afterEach(async () => {
    await created?.close();
  });

  it('creates an SmtpMessenger named and marked by the configuration, reading env strings', () => {
    expect(sitemsgDriver).toMatchObject({ kind: 'messenger', name: 'smtp' });
    const messenger = sitemsgDriver.create(
      {
        host: 'smtp.example.com',
        port: '2525',
        requireTLS: 'true',
        from: 'a@example.com',
        maxConnections: 2,
      },
      { name: 'smtp_eu', primary: true },
    );
    created = messenger as SmtpMessenger;
    expect(messenger).toBeInstanceOf(SmtpMessenger);
    expect(messenger).toMatchObject({ alias: 'smtp_eu', channel: 'smtp', primary: true });
  });

  it.each([
    [{ host: 'h', from: 'a@example.com', hostname: 'typo' }, /unknown option "hostname"/],
    [{ host: 'h', from: 'a@example.com', transporter: {} }, /unknown option "transporter"/],
    [{ host: 'h', from: 'a@example.com', alias: 'x' }, /"alias" comes from the configuration/],
    [{ host: 'h' }, /from is required/],
    [{ host: 'h', from: 'a@example.com', port: 'abc' }, /port must be an integer/],
  ])('refuses %j with a ConfigurationError', (options, message) => {
    expect(() => sitemsgDriver.create(options, { name: 'smtp', primary: false })).toThrow(ConfigurationError);
    expect(() => sitemsgDriver.create(options, { name: 'smtp', primary: false })).toThrow(message);
  });
});

describe('addresses', () => {
  it.each([
    ['ann@example.org', true],
    ['first.last+tag@sub.example.co.uk', true],
    ['ünïcode@exämple.de', true],
    ['ann@localhost', false],
    ['ann', false],
    ['@example.org', false],
    ['ann@@example.org', false],
    ['ann@example..org', false],
    ['ann smith@example.org', false],
    ['ann@example.org\r\nBcc: x@y.z', false],
    ['a\u0001b@example.org', false],
    ['ann\u001b@example.org', false],
    ['ann@example.org\u007f', false],
    ['ann\u0085@example.org', false],
    ['ann\ud800@example.org', false],
    ['"Ann" <ann@example.org>', false],
    [`${'a'.repeat(65)}@example.org`, false],
  ])('isEmailAddress(%j) is %s', (address, expected) => {
    expect(isEmailAddress(address)).toBe(expected);
  });

  it('parses mailboxes', () => {
    expect(parseMailbox('"Shop" <shop@example.com>')).toEqual({ name: 'Shop', address: 'shop@example.com' });
    expect(parseMailbox('shop@example.com')).toEqual({ address: 'shop@example.com' });
    expect(parseMailbox('a@example.com, b@example.com')).toBeNull();
    expect(parseMailbox('Shop <shop@example.com>\r\nBcc: x@example.com')).toBeNull();
  });

  it('derives a stable, unambiguous Message-ID from the dispatch id', () => {
    expect(messageIdFor('42', 'example.com')).toBe('<dispatch-42@example.com>');
    expect(messageIdFor('6f1c-9a_b', 'example.com')).toBe('<dispatch-6f1c-9a_b@example.com>');
    expect(messageIdFor('a.b', 'example.com')).toBe('<dispatch-a=002Eb@example.com>');
    expect(messageIdFor('a=b', 'x.test')).not.toBe(messageIdFor('a.b', 'x.test'));
  });
});
