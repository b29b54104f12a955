import { createSitemsg, type Sitemsg, UnknownMessengerError } from '@sitemsg/core';
import { ConfigurationError, ValidationError } from '@sitemsg/core/plugin';
import { createTransport, type Transporter } from 'nodemailer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  NodemailerMessage,
  type SitemsgSentMessageInfo,
  SmtpMessenger,
  sitemsgTransport,
} from '../src/index.js';
import { engineFor, messengerFor } from './helpers.js';
import { SmtpSink } from './sink.js';

let sink: SmtpSink;
let sitemsg: Sitemsg;
let app: Transporter<SitemsgSentMessageInfo>;

beforeEach(async () => {
  sink = await SmtpSink.start({ starttls: false });
  ({ sitemsg } = engineFor(messengerFor(sink), [NodemailerMessage]));
  app = createTransport(sitemsgTransport({ sitemsg }));
});

afterEach(async () => {
  await sitemsg.close();
  await sink.stop();
});

function byRecipient(address: string): NonNullable<(typeof sink.arrived)[number]> {
  const mail = sink.arrived.find((m) => m.rcptTo.includes(address));
  if (!mail) throw new Error(`nothing arrived for ${address}`);
  return mail;
}

describe('sitemsgTransport: sendMail() schedules, a worker sends', () => {
  it('delivers one message per to/cc/bcc recipient, with nobody seeing the bcc', async () => {
    const pdf = Buffer.from('%PDF-1.4 attached');
    const info = await app.sendMail({
      from: '"The App" <app@example.com>',
      to: ['ann@example.org', '"Bob B." <bob@example.org>'],
      cc: 'carol@example.org',
      bcc: 'dave@example.org',
      replyTo: 'support@example.com',
      subject: 'Welcome',
      text: 'Hello in text',
      html: '<p>Hello in <b>HTML</b></p>',
      headers: { 'X-Campaign': 'spring' },
      attachments: [
        { filename: 'terms.pdf', content: pdf, contentType: 'application/pdf' },
        { filename: 'notes.txt', content: 'plain notes' },
      ],
    });
    expect(info.accepted).toEqual([
      'ann@example.org',
      'bob@example.org',
      'carol@example.org',
      'dave@example.org',
    ]);
    expect(info.dispatchIds).toHaveLength(4);
    expect(sink.arrived).toHaveLength(0);
    expect((await sitemsg.store.getMessage(info.sitemsgMessageId))?.type).toBe('email_nodemailer');

    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 4, error: 0, failed: 0 });
    expect(sink.arrived).toHaveLength(4);
    for (const address of ['ann@example.org', 'bob@example.org', 'carol@example.org', 'dave@example.org']) {
      const mail = byRecipient(address);
      expect(mail.rcptTo).toEqual([address]);
      // Bcc stays in the envelope of its own dispatch: no message, not even dave's, names it.
      expect(mail.raw).not.toContain('dave@example.org');
      const headers = SmtpSink.headers(mail.raw);
      expect(headers.has('bcc')).toBe(false);
      expect(mail.parsed.to).toMatchObject({
        value: [
          { name: '', address: 'ann@example.org' },
          { name: 'Bob B.', address: 'bob@example.org' },
        ],
      });
      expect(mail.parsed.cc).toMatchObject({ value: [{ name: '', address: 'carol@example.org' }] });
      expect(mail.parsed.from?.value).toEqual([{ name: 'The App', address: 'app@example.com' }]);
      expect(mail.parsed.replyTo?.value).toEqual([{ name: '', address: 'support@example.com' }]);
      expect(mail.parsed.subject).toBe('Welcome');
      expect(mail.parsed.text?.trim()).toBe('Hello in text');
      expect(mail.parsed.html).toContain('<p>Hello in <b>HTML</b></p>');
      expect(headers.get('x-campaign')).toEqual(['spring']);
      expect(mail.parsed.messageId).toMatch(/^<dispatch-\d+@example\.com>$/);
      expect(mail.parsed.attachments.map((a) => [a.filename, a.contentType, a.content.toString()])).toEqual([
        ['terms.pdf', 'application/pdf', '%PDF-1.4 attached'],
        ['notes.txt', 'text/plain', 'plain notes'],
      ]);
    }
    // The envelope sender is the messenger's (the authenticated sender), the From header the app's.
    expect(byRecipient('ann@example.org').mailFrom).toBe('shop@example.com');
    expect(new Set(sink.arrived.map((m) => m.parsed.messageId)).size).toBe(4);
  });

  it('keeps a text body as text: never pasted into HTML, no HTML part made up', async () => {
    await app.sendMail({
      to: 'ann@example.org',
      subject: 'Code',
      text: '<script>alert(1)</script> & <b>not bold</b>',
    });
    await sitemsg.sendScheduledMessages();
    const { parsed, raw } = byRecipient('ann@example.org');
    expect(parsed.text?.trim()).toBe('<script>alert(1)</script> & <b>not bold</b>');
    expect(parsed.html).toBe(false);
    expect(raw).not.toMatch(/text\/html/i);
    // Without a from of its own, the mail goes out from the messenger's sender.
    expect(parsed.from?.value).toEqual([{ name: 'Shop', address: 'shop@example.com' }]);
  });

  it('sends HTML-only mail with a text alternative', async () => {
    await app.sendMail({ to: 'ann@example.org', subject: 'H', html: '<p>Only &amp; <b>HTML</b></p>' });
    await sitemsg.sendScheduledMessages();
    const { parsed } = byRecipient('ann@example.org');
    expect(parsed.html).toContain('<p>Only &amp; <b>HTML</b></p>');
    expect(parsed.text?.trim()).toBe('Only & HTML');
  });

  it('works with the worker loop stopped by an AbortSignal', async () => {
    await app.sendMail({ to: ['ann@example.org', 'bob@example.org'], subject: 'W', text: 'from the worker' });
    const stop = new AbortController();
    const worker = sitemsg.work({
      signal: stop.signal,
      handleSignals: false,
      onRound: (totals) => {
        if (totals.sent >= 2) stop.abort();
      },
    });
    expect(await worker).toMatchObject({ sent: 2 });
    expect(sink.arrived.map((m) => m.parsed.text?.trim())).toEqual(['from the worker', 'from the worker']);
  });

  it('refuses bad input at sendMail(), storing nothing', async () => {
    await expect(app.sendMail({ to: 'not-an-email', text: 'x' })).rejects.toBeInstanceOf(ValidationError);
    await expect(app.sendMail({ subject: 'nobody', text: 'x' })).rejects.toThrow(
      /no to, cc or bcc recipient/,
    );
    await expect(app.sendMail({ to: 'a@example.org', from: 'broken', text: 'x' })).rejects.toThrow(
      ValidationError,
    );
    await expect(app.sendMail({ to: 'a@example.org', text: 'x', messageId: '<mine@x>' })).rejects.toThrow(
      /"messageId" is not supported/,
    );
    await expect(app.sendMail({ to: 'a@example.org', raw: 'From: x\r\n\r\nbody' })).rejects.toThrow(/"raw"/);
    await expect(
      app.sendMail({ to: 'a@example.org', text: 'x', headers: { 'X-Multi': ['1', '2'] } }),
    ).rejects.toThrow(/exactly one string value/);
    await expect(
      app.sendMail({ to: 'a@example.org', text: 'x', headers: { 'X-Evil': 'a\r\nBcc: spy@example.org' } }),
    ).rejects.toThrow(/without line breaks/);
    await expect(
      app.sendMail({ to: 'a@example.org', text: 'x', headers: { 'List-Unsubscribe': '<https://x>' } }),
    ).rejects.toThrow(/set by sitemsg/);
    await expect(
      app.sendMail({ to: 'a@example.org', text: 'x', headers: { Cc: 'b@example.org' } }),
    ).rejects.toThrow(/use the sendMail\(\) field/);
    await expect(
      app.sendMail({
        to: 'a@example.org',
        text: 'x',
        attachments: [{ filename: 'a', content: 'x', raw: 'y' }],
      }),
    ).rejects.toThrow(/"raw" is not supported/);
    expect(await sitemsg.store.countDispatches()).toMatchObject({ pending: 0 });
  });

  it('checks its setup when created', () => {
    const bare = createSitemsg({
      messengers: [new SmtpMessenger({ host: '127.0.0.1', from: 'a@example.com' })],
    });
    expect(() => sitemsgTransport({ sitemsg: bare })).toThrow(ConfigurationError);
    expect(() => sitemsgTransport({ sitemsg: bare })).toThrow(/messageTypes: \[NodemailerMessage\]/);
    expect(() => sitemsgTransport({ sitemsg, messenger: 'sendgrid' })).toThrow(UnknownMessengerError);
    expect(() => sitemsgTransport({ sitemsg, extra: 1 } as never)).toThrow(/unknown option "extra"/);
  });
});
