import { EmailHtmlMessage, EmailTextMessage } from '@sitemsg/core';
import { ValidationError } from '@sitemsg/core/plugin';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { messageIdFor } from '../src/address.js';
import type { SmtpMessenger } from '../src/index.js';
import { engineFor, Invoice, messengerFor, Newsletter } from './helpers.js';
import { SmtpSink } from './sink.js';

let sink: SmtpSink;
let messenger: SmtpMessenger;

beforeEach(async () => {
  sink = await SmtpSink.start({ starttls: false });
});

afterEach(async () => {
  await messenger?.close();
  await sink.stop();
});

describe('SmtpMessenger over plain SMTP', () => {
  it('sends subject, text and HTML with Message-ID, Date, From name and Reply-To on the wire', async () => {
    messenger = messengerFor(sink, { replyTo: 'help@example.com', name: 'mailer.example.com' });
    const { sitemsg } = engineFor(messenger);
    const to = sitemsg.recipients('smtp', [{ id: 1, email: 'ann@example.org' }]);
    const [scheduled] = await sitemsg.scheduleMessages(
      new EmailHtmlMessage('Your order <shipped>', '<p>It is on its <b>way</b>.</p>', 'It is on its way.'),
      to,
    );
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 1, error: 0, failed: 0 });

    expect(sink.arrived).toHaveLength(1);
    const [mail] = sink.arrived;
    const dispatchId = scheduled!.dispatches[0]!.id;
    expect(mail!.mailFrom).toBe('shop@example.com');
    expect(mail!.rcptTo).toEqual(['ann@example.org']);
    expect(mail!.ehlo).toBe('mailer.example.com');
    expect(mail!.parsed.messageId).toBe(messageIdFor(dispatchId, 'example.com'));
    expect(mail!.parsed.date).toBeInstanceOf(Date);
    expect(Number.isNaN(mail!.parsed.date!.getTime())).toBe(false);
    expect(mail!.parsed.from?.value).toEqual([{ name: 'Shop', address: 'shop@example.com' }]);
    expect(mail!.parsed.replyTo?.value).toEqual([{ name: '', address: 'help@example.com' }]);
    expect(mail!.parsed.subject).toBe('Your order <shipped>');
    expect(mail!.parsed.text?.trim()).toBe('It is on its way.');
    expect(mail!.parsed.html).toContain('<p>It is on its <b>way</b>.</p>');
    const headers = SmtpSink.headers(mail!.raw);
    expect(headers.has('list-unsubscribe')).toBe(false);
    expect(headers.has('list-unsubscribe-post')).toBe(false);
    expect(headers.get('message-id')).toHaveLength(1);
  });

  it('adds List-Unsubscribe (URL and mailto) and List-Unsubscribe-Post when the type allows unsubscription', async () => {
    messenger = messengerFor(sink, { listUnsubscribeMailto: 'unsubscribe@example.com' });
    const { sitemsg } = engineFor(messenger, [Newsletter]);
    const [scheduled] = await sitemsg.scheduleMessages(
      new Newsletter({ subject: 'News', text: 'Hello', html: '<p>Hello</p>' }),
      sitemsg.recipients('smtp', ['bob@example.org', 'eve@example.org']),
    );
    await sitemsg.sendScheduledMessages();
    expect(sink.arrived).toHaveLength(2);
    for (const mail of sink.arrived) {
      const dispatch = scheduled!.dispatches.find((d) => d.address === mail.rcptTo[0])!;
      const headers = SmtpSink.headers(mail.raw);
      const [value] = headers.get('list-unsubscribe')!;
      const urls = value!.split(/,\s*/);
      expect(urls).toHaveLength(2);
      expect(urls[0]).toMatch(
        new RegExp(
          `^<https://shop\\.example\\.com/sitemsg/unsubscribe/${dispatch.messageId}/${dispatch.id}/[\\w-]+\\?r=[\\w-]+>$`,
        ),
      );
      expect(urls[1]).toBe(
        `<mailto:unsubscribe@example.com?subject=unsubscribe%20${encodeURIComponent(dispatch.id)}>`,
      );
      expect(headers.get('list-unsubscribe-post')).toEqual(['List-Unsubscribe=One-Click']);
    }
    // Each recipient gets their own link, never another's.
    const links = sink.arrived.map((m) => SmtpSink.headers(m.raw).get('list-unsubscribe')![0]);
    expect(new Set(links).size).toBe(2);
  });

  it('leaves mailto out of List-Unsubscribe when none is configured', async () => {
    messenger = messengerFor(sink);
    const { sitemsg } = engineFor(messenger, [Newsletter]);
    await sitemsg.scheduleMessages(
      new Newsletter({ subject: 'News', text: 'Hello', html: '<p>Hello</p>' }),
      sitemsg.recipients('smtp', 'bob@example.org'),
    );
    await sitemsg.sendScheduledMessages();
    const headers = SmtpSink.headers(sink.arrived[0]!.raw);
    expect(headers.get('list-unsubscribe')![0]).toMatch(/^<https:\/\/[^>]+>$/);
    expect(headers.get('list-unsubscribe-post')).toEqual(['List-Unsubscribe=One-Click']);
  });

  it('sends attachments (one inline by Content-ID) and the headers a message type sets', async () => {
    messenger = messengerFor(sink);
    const { sitemsg } = engineFor(messenger, [Invoice]);
    await sitemsg.scheduleMessages(
      new Invoice({ number: 'A-17' }),
      sitemsg.recipients('smtp', 'ann@example.org'),
    );
    expect((await sitemsg.sendScheduledMessages()).sent).toBe(1);
    const { parsed, raw } = sink.arrived[0]!;
    expect(parsed.subject).toBe('Invoice A-17');
    expect(SmtpSink.headers(raw).get('x-invoice')).toEqual(['A-17']);
    const pdf = parsed.attachments.find((a) => a.filename === 'invoice.pdf')!;
    expect(pdf.contentType).toBe('application/pdf');
    expect(pdf.content.toString()).toBe('%PDF-1.4 fake');
    const logo = parsed.attachments.find((a) => a.filename === 'logo.png')!;
    expect(logo.cid).toBe('logo@shop');
    expect([...logo.content]).toEqual([137, 80, 78, 71]);
  });

  it('keeps the same Message-ID when a dispatch is retried', async () => {
    messenger = messengerFor(sink);
    const { sitemsg, clock } = engineFor(messenger);
    sink.rejectRecipient.set('ann@example.org', 451);
    const [scheduled] = await sitemsg.scheduleMessages(
      new EmailTextMessage('Hi', 'Hello'),
      sitemsg.recipients('smtp', 'ann@example.org'),
    );
    const dispatchId = scheduled!.dispatches[0]!.id;
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 0, error: 1 });
    const afterFirst = await sitemsg.store.getDispatch(dispatchId);
    expect(afterFirst).toMatchObject({ status: 'error', attempts: 1 });
    expect(afterFirst!.lastError).toMatch(/451/);
    sink.rejectRecipient.clear();
    clock.advance(24 * 3600 * 1000);
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 1 });
    expect(await sitemsg.store.getDispatch(dispatchId)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(sink.arrived[0]!.parsed.messageId).toBe(messageIdFor(dispatchId, 'example.com'));
  });

  it('turns users into addresses through user.email and refuses non-e-mails at scheduling', async () => {
    messenger = messengerFor(sink);
    const { sitemsg } = engineFor(messenger);
    expect(sitemsg.recipients('smtp', { id: 4, email: 'dan@example.org' })).toEqual([
      { messenger: 'smtp', address: 'dan@example.org', userId: '4' },
    ]);
    expect(() => sitemsg.recipients('smtp', { id: 5 })).toThrow(ValidationError);
    for (const bad of [
      'not-an-email',
      'a@b',
      'a b@example.org',
      'x@example.org, y@example.org',
      '<x@example.org>',
    ]) {
      expect(() => sitemsg.recipients('smtp', bad)).toThrow(ValidationError);
      await expect(
        sitemsg.scheduleMessages(new EmailTextMessage('s', 't'), [
          { messenger: 'smtp', address: bad, userId: null },
        ]),
      ).rejects.toBeInstanceOf(ValidationError);
    }
    expect((await sitemsg.store.countDispatches()).pending).toBe(0);
  });

  it('fails (without retrying) a dispatch whose message type sets a header the messenger owns', async () => {
    messenger = messengerFor(sink);
    const { MessageType } = await import('@sitemsg/core');
    class Sneaky extends MessageType {
      static override alias = 'sneaky';
      static override compile() {
        return { text: 'x', headers: { Bcc: 'spy@example.org' } };
      }
    }
    const { sitemsg } = engineFor(messenger, [Sneaky]);
    await sitemsg.scheduleMessages(new Sneaky({}), sitemsg.recipients('smtp', 'ann@example.org'));
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 0, failed: 1 });
    expect(sink.arrived).toHaveLength(0);
  });

  it('answers sendTestMessage through the engine', async () => {
    messenger = messengerFor(sink);
    const { sitemsg } = engineFor(messenger);
    const result = await sitemsg.sendTestMessage('smtp', { to: 'ops@example.org', text: 'ping' });
    expect(result.ok).toBe(true);
    expect(sink.arrived[0]!.parsed.text?.trim()).toBe('ping');
    expect(sink.arrived[0]!.rcptTo).toEqual(['ops@example.org']);
  });
});
