import { ValidationError } from '@sitemsg/core/plugin';
import { createTransport, type SendMailOptions } from 'nodemailer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NodemailerMessage, sitemsgTransport } from '../src/index.js';
import { engineFor, messengerFor } from './helpers.js';
import { SmtpSink } from './sink.js';

let sink: SmtpSink;
let rig: ReturnType<typeof engineFor>;

beforeEach(async () => {
  sink = await SmtpSink.start({ starttls: false });
  rig = engineFor(messengerFor(sink), [NodemailerMessage]);
});

afterEach(async () => {
  await rig.sitemsg.close();
  await sink.stop();
});

const BAD_ADDRESSES = [
  ['SOH', 'a\u0001b@example.org'],
  ['ESC', 'a\u001bb@example.org'],
  ['DEL', 'ab\u007f@example.org'],
  ['NEL (C1)', 'ab\u0085@example.org'],
  ['CSI (C1)', 'ab@exa\u009bmple.org'],
  ['NUL', 'ab\u0000@example.org'],
  ['line separator', 'ab\u2028@example.org'],
  ['lone high surrogate', 'ab\ud800@example.org'],
  ['lone low surrogate', 'ab@\udc00example.org'],
] as const;

describe('addresses with control characters never reach the SMTP server', () => {
  it.each(BAD_ADDRESSES)(
    '%s: refused at recipients(), sendTestMessage() and the transport',
    async (_, address) => {
      const { sitemsg } = rig;
      expect(() => sitemsg.recipients('smtp', address)).toThrow(ValidationError);
      expect(() => sitemsg.recipients('smtp', { id: 1, email: address })).toThrow(ValidationError);
      await expect(sitemsg.sendTestMessage('smtp', { to: address })).rejects.toBeInstanceOf(ValidationError);
      const app = createTransport(sitemsgTransport({ sitemsg }));
      await expect(app.sendMail({ to: address, text: 'x' })).rejects.toBeInstanceOf(ValidationError);
      expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 0, error: 0, failed: 0 });
      expect(sink.mailFromCommands).toBe(0);
      expect(sink.arrived).toHaveLength(0);
    },
  );

  it('still sends to a clean address (the check is not a blanket refusal)', async () => {
    const { sitemsg } = rig;
    expect((await sitemsg.sendTestMessage('smtp', { to: 'ann@example.org' })).ok).toBe(true);
    expect(sink.arrived.map((m) => m.rcptTo)).toEqual([['ann@example.org']]);
  });
});

describe('sitemsgTransport refuses line breaks and controls in every header-bound field at sendMail()', () => {
  const CASES: [string, SendMailOptions, RegExp][] = [
    [
      'from name',
      { from: { name: 'A\r\nBcc: spy@x.org', address: 'a@example.com' } },
      /from contains a line break/,
    ],
    ['from string', { from: '"A\r\nX-Evil: 1" <a@example.com>' }, /from contains/],
    ['to name', { to: { name: 'T\nX-Evil: 1', address: 'b@example.org' } }, /to contains/],
    ['cc name', { cc: [{ name: 'C\r', address: 'c@example.org' }] }, /cc contains/],
    ['bcc', { bcc: 'd\u0001@example.org' }, /bcc contains .*U\+0001/],
    ['replyTo', { replyTo: { name: 'R\u0085', address: 'r@example.org' } }, /replyTo contains .*U\+0085/],
    ['inReplyTo', { inReplyTo: '<a@b>\r\nBcc: spy@x.org' }, /inReplyTo contains .*U\+000D/],
    ['references', { references: ['<a@b>', '<c@d>\nX-Evil: 1'] }, /references contains .*U\+000A/],
    ['subject', { subject: 'Hi\r\nBcc: spy@x.org' }, /subject contains/],
    ['subject NUL', { subject: 'Hi\u0000there' }, /subject contains .*U\+0000/],
    ['header value', { headers: { 'X-Tag': 'a\u001bb' } }, /header "X-Tag"/],
    [
      'attachment filename',
      { attachments: [{ filename: 'a\r\nX-Evil: 1.txt', content: 'x' }] },
      /attachment 1 filename/,
    ],
    [
      'attachment contentType',
      { attachments: [{ filename: 'a.txt', content: 'x', contentType: 'text/plain\r\nX-Evil: 1' }] },
      /attachment 1 contentType/,
    ],
    [
      'attachment cid',
      { attachments: [{ filename: 'a.txt', content: 'x', cid: 'a\nb' }] },
      /attachment 1 cid/,
    ],
  ];

  it.each(CASES)('%s: a ValidationError, nothing stored', async (_, fields, message) => {
    const { sitemsg } = rig;
    const app = createTransport(sitemsgTransport({ sitemsg }));
    const sending = app.sendMail({ to: 'b@example.org', text: 'x', ...fields });
    await expect(sending).rejects.toBeInstanceOf(ValidationError);
    await expect(app.sendMail({ to: 'b@example.org', text: 'x', ...fields })).rejects.toThrow(message);
    expect(await sitemsg.store.countDispatches()).toMatchObject({ pending: 0, failed: 0 });
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 0, failed: 0 });
    expect(sink.connections).toBe(0);
  });

  it('keeps a tab in a subject and sends threading headers that are clean', async () => {
    const { sitemsg } = rig;
    const app = createTransport(sitemsgTransport({ sitemsg }));
    await app.sendMail({
      to: 'b@example.org',
      from: { name: 'The App', address: 'app@example.com' },
      subject: 'Re:\tyour order',
      inReplyTo: '<order-1@example.com>',
      references: ['<order-0@example.com>', '<order-1@example.com>'],
      text: 'x',
    });
    expect(await sitemsg.sendScheduledMessages()).toMatchObject({ sent: 1, failed: 0 });
    const [mail] = sink.arrived;
    expect(mail?.parsed.inReplyTo).toBe('<order-1@example.com>');
    expect(mail?.parsed.references).toEqual(['<order-0@example.com>', '<order-1@example.com>']);
    expect(mail?.parsed.from?.value).toEqual([{ name: 'The App', address: 'app@example.com' }]);
  });
});
