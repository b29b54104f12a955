import { EmailHtmlMessage, EmailTextMessage, MessageType, type RenderContext } from '@sitemsg/core';
import { type CompiledMessage, ValidationError } from '@sitemsg/core/plugin';
import { afterEach, describe, expect, it } from 'vitest';
import type { Personalization } from './fixtures/fake-sendgrid.js';
import { API_KEY, outgoing, type Rig, rig } from './fixtures/setup.js';

class Newsletter extends MessageType<{ subject: string; html: string; text: string }> {
  static override alias = 'newsletter';
  static override allowUserSubscription = true;
}

/** Rendered per dispatch: every recipient gets a text naming them. */
class Personal extends MessageType<{ subject: string }> {
  static override alias = 'personal';
  static override compile(render: RenderContext): CompiledMessage {
    return { subject: String(render.context.subject), text: `Hello ${render.recipient}` };
  }
}

class WithAttachment extends MessageType<{ name: string }> {
  static override alias = 'with_attachment';
  static override compile(render: RenderContext): CompiledMessage {
    return {
      subject: 'Your invoice',
      text: 'Attached.',
      attachments: [
        {
          filename: String(render.context.name),
          contentBase64: 'JVBERi0xLjQK',
          contentType: 'application/pdf',
        },
      ],
      headers: { 'Reply-To': 'billing@example.com', 'X-Entity-Ref-ID': 'invoice-7' },
    };
  }
}

class BadHeader extends MessageType<{ text: string }> {
  static override alias = 'bad_header';
  static override compile(): CompiledMessage {
    return { subject: 's', text: 'x', headers: { Subject: 'sneaky' } };
  }
}

const byAddress = (a: Personalization, b: Personalization) => a.to[0]!.email.localeCompare(b.to[0]!.email);

let r: Rig;
afterEach(async () => {
  await r?.close();
});

describe('SendgridMessenger on the wire', () => {
  it('sends one message to three recipients as one request with a personalization each', async () => {
    r = await rig({ replyTo: 'Support <support@example.com>' });
    r.sitemsg.registerMessageTypes(Newsletter);
    const sent: { id: string; providerMessageId: string | undefined }[] = [];
    r.sitemsg.on('dispatch:sent', (e) => {
      sent.push({ id: e.dispatch.id, providerMessageId: e.providerMessageId });
    });
    const to = r.sitemsg.recipients('sendgrid', [
      'c@example.org',
      'a@example.org',
      { id: 7, email: 'b@example.org' },
    ]);
    const [scheduled] = await r.sitemsg.scheduleMessages(
      new Newsletter({ subject: 'March news', html: '<p>News &amp; more</p>', text: 'News & more' }),
      to,
    );
    const counts = await r.sitemsg.sendScheduledMessages();
    expect(counts).toMatchObject({ sent: 3, error: 0, failed: 0 });

    expect(r.fake.requests).toHaveLength(1);
    const [request] = r.fake.requests;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe('/v3/mail/send');
    expect(request!.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request!.headers['content-type']).toMatch(/^application\/json/);

    const { personalizations, ...rest } = request!.body;
    expect(rest).toEqual({
      from: { email: 'news@example.com', name: 'Example News' },
      reply_to: { email: 'support@example.com', name: 'Support' },
      subject: 'March news',
      content: [
        { type: 'text/plain', value: 'News & more' },
        { type: 'text/html', value: '<p>News &amp; more</p>' },
      ],
    });
    const dispatches = new Map(scheduled!.dispatches.map((d) => [d.address, d]));
    expect([...personalizations].sort(byAddress)).toEqual(
      ['a@example.org', 'b@example.org', 'c@example.org'].map((email) => ({
        to: [{ email }],
        custom_args: { dispatch_id: dispatches.get(email)!.id, message_id: scheduled!.message.id },
        headers: {
          'List-Unsubscribe': expect.stringMatching(
            new RegExp(
              `^<https://app\\.example\\.com/sitemsg/unsubscribe/${scheduled!.message.id}/${dispatches.get(email)!.id}/[\\w-]+\\?r=[\\w-]+>$`,
            ),
          ),
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        },
      })),
    );
    // Each recipient gets their own link, never another's.
    const links = personalizations.map((p) => p.headers!['List-Unsubscribe']);
    expect(new Set(links).size).toBe(3);

    const messageId = r.fake.accepted[0]!.messageId;
    expect(sent).toHaveLength(3);
    expect(sent.every((s) => s.providerMessageId === messageId)).toBe(true);
  });

  it('leaves List-Unsubscribe out when the message type does not allow unsubscription', async () => {
    r = await rig();
    await r.sitemsg.scheduleMessages(
      new EmailTextMessage('Receipt', 'Thanks'),
      r.sitemsg.recipients('sendgrid', 'a@example.org'),
    );
    await r.sitemsg.sendScheduledMessages();
    expect(r.fake.requests[0]!.body.personalizations[0]).toEqual({
      to: [{ email: 'a@example.org' }],
      custom_args: { dispatch_id: expect.any(String), message_id: expect.any(String) },
    });
    expect(r.fake.requests[0]!.body.content).toEqual([{ type: 'text/plain', value: 'Thanks' }]);
  });

  it('sets mail_settings.sandbox_mode and counts the 200 OK as sent, without a message id', async () => {
    r = await rig({ sandboxMode: true });
    const ids: (string | undefined)[] = [];
    r.sitemsg.on('dispatch:sent', (e) => {
      ids.push(e.providerMessageId);
    });
    await r.sitemsg.scheduleMessages(
      new EmailTextMessage('Test', 'Body'),
      r.sitemsg.recipients('sendgrid', 'a@example.org'),
    );
    expect(await r.sitemsg.sendScheduledMessages()).toMatchObject({ sent: 1 });
    expect(r.fake.requests[0]!.body.mail_settings).toEqual({ sandbox_mode: { enable: true } });
    expect(r.fake.accepted).toHaveLength(0);
    expect(ids).toEqual([undefined]);
  });

  it('sends different contents as different requests, and per-dispatch renders one request each', async () => {
    r = await rig();
    r.sitemsg.registerMessageTypes(Personal);
    await r.sitemsg.scheduleMessages(
      [new EmailTextMessage('One', 'first'), new EmailTextMessage('Two', 'second')],
      r.sitemsg.recipients('sendgrid', ['a@example.org', 'b@example.org']),
    );
    await r.sitemsg.scheduleMessages(
      new Personal({ subject: 'Hi' }),
      r.sitemsg.recipients('sendgrid', ['c@example.org', 'd@example.org']),
    );
    expect(await r.sitemsg.sendScheduledMessages()).toMatchObject({ sent: 6 });
    const shapes = r.fake.requests
      .map((q) => `${q.body.subject}:${q.body.personalizations.length}:${q.body.content![0]!.value}`)
      .sort();
    expect(shapes).toEqual([
      'Hi:1:Hello c@example.org',
      'Hi:1:Hello d@example.org',
      'One:2:first',
      'Two:2:second',
    ]);
  });

  it('splits 1,001 recipients of one content into 1,000 + 1 personalizations', async () => {
    r = await rig();
    const batch = Array.from({ length: 1001 }, (_, i) => outgoing(`d-${i}`, `user${i}@example.org`));
    const results = await r.messenger.send(batch);
    expect(results.filter((x) => x.result.ok)).toHaveLength(1001);
    expect(r.fake.requests.map((q) => q.body.personalizations.length)).toEqual([1000, 1]);
    expect(new Set(r.fake.accepted.map((a) => a.customArgs.dispatch_id)).size).toBe(1001);
  });

  it('sends the requests of a batch concurrently, up to the concurrency option', async () => {
    r = await rig();
    r.fake.gate = 3; // answers nothing until three requests wait together
    const batch = ['one', 'two', 'three'].map((text, i) => outgoing(`d-${i}`, `u${i}@example.org`, text));
    const results = await r.messenger.send(batch);
    expect(results.every((x) => x.result.ok)).toBe(true);
    expect(r.fake.maxInFlight).toBe(3);
    await r.close();

    r = await rig({ concurrency: 1 });
    await r.messenger.send(batch);
    expect(r.fake.requests).toHaveLength(3);
    expect(r.fake.maxInFlight).toBe(1);
  });

  it('never puts one address twice in a request (SendGrid would refuse the whole request)', async () => {
    r = await rig();
    const batch = [
      outgoing('d-1', 'a@example.org'),
      outgoing('d-2', 'A@example.org'),
      outgoing('d-3', 'b@example.org'),
    ];
    const results = await r.messenger.send(batch);
    expect(results.every((x) => x.result.ok)).toBe(true);
    expect(r.fake.requests.map((q) => q.body.personalizations.map((p) => p.to[0]!.email))).toEqual([
      ['a@example.org', 'b@example.org'],
      ['A@example.org'],
    ]);
  });

  it('carries attachments, maps a Reply-To header to reply_to and keeps other headers per recipient', async () => {
    r = await rig();
    r.sitemsg.registerMessageTypes(WithAttachment);
    await r.sitemsg.scheduleMessages(
      new WithAttachment({ name: 'invoice.pdf' }),
      r.sitemsg.recipients('sendgrid', 'a@example.org'),
    );
    await r.sitemsg.sendScheduledMessages();
    const { body } = r.fake.requests[0]!;
    expect(body.attachments).toEqual([
      {
        content: 'JVBERi0xLjQK',
        filename: 'invoice.pdf',
        type: 'application/pdf',
        disposition: 'attachment',
      },
    ]);
    expect(body.reply_to).toEqual({ email: 'billing@example.com' });
    expect(body.headers).toBeUndefined();
    expect(body.personalizations[0]!.headers).toEqual({ 'X-Entity-Ref-ID': 'invoice-7' });
    // Message-level headers would also have gone out as HTTP request headers through @sendgrid/mail.
    expect(r.fake.requests[0]!.headers['x-entity-ref-id']).toBeUndefined();
  });

  it('fails a message that sets a header SendGrid reserves, without a request', async () => {
    r = await rig();
    r.sitemsg.registerMessageTypes(BadHeader);
    const failures: string[] = [];
    r.sitemsg.on('dispatch:failed', (e) => {
      failures.push(e.error);
    });
    await r.sitemsg.scheduleMessages(
      new BadHeader({ text: 'x' }),
      r.sitemsg.recipients('sendgrid', 'a@example.org'),
    );
    expect(await r.sitemsg.sendScheduledMessages()).toMatchObject({ failed: 1 });
    expect(r.fake.requests).toHaveLength(0);
    expect(failures[0]).toMatch(
      /\[sitemsg\] \[sendgrid\] SendGrid does not let a request set the "Subject" header/,
    );
  });

  it('gives a message without a subject its first line as subject (SendGrid requires one)', async () => {
    r = await rig();
    await r.sitemsg.scheduleMessages(
      '\nYour code is 123456\nIt expires soon.',
      r.sitemsg.recipients('sendgrid', 'a@example.org'),
    );
    await r.sitemsg.sendScheduledMessages();
    expect(r.fake.requests[0]!.body.subject).toBe('Your code is 123456');
  });

  it('refuses an address that is not an e-mail at scheduling, with a ValidationError', async () => {
    r = await rig();
    expect(() => r.sitemsg.recipients('sendgrid', 'not-an-email')).toThrow(ValidationError);
    expect(() => r.sitemsg.recipients('sendgrid', 'a@localhost')).toThrow(ValidationError);
    expect(() => r.sitemsg.recipients('sendgrid', { id: 1 })).toThrow(/has no address/);
    await expect(
      r.sitemsg.scheduleMessages('x', [{ messenger: 'sendgrid', address: 'a b@example.org', userId: null }]),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it('sends a test message through sendTestMessage', async () => {
    r = await rig();
    const result = await r.sitemsg.sendTestMessage('sendgrid', { to: 'a@example.org', text: 'Ping' });
    expect(result.ok).toBe(true);
    expect(r.fake.accepted.map((a) => [a.address, a.subject, a.text])).toEqual([
      ['a@example.org', 'Ping', 'Ping'],
    ]);
  });

  it('sends HTML-only messages with their derived text part first', async () => {
    r = await rig();
    await r.sitemsg.scheduleMessages(
      new EmailHtmlMessage('Hi', '<p>Hello<br>there</p>'),
      r.sitemsg.recipients('sendgrid', 'a@example.org'),
    );
    await r.sitemsg.sendScheduledMessages();
    expect(r.fake.requests[0]!.body.content).toEqual([
      { type: 'text/plain', value: 'Hello\nthere' },
      { type: 'text/html', value: '<p>Hello<br>there</p>' },
    ]);
  });
});
