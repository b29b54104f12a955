import {
  createSitemsg,
  ManualClock,
  MessageType,
  type MessageTypeClass,
  type RenderContext,
  type Sitemsg,
} from '@sitemsg/core';
import type { CompiledMessage } from '@sitemsg/core/plugin';
import { type EmailAttachment, SmtpMessenger, type SmtpServerOptions } from '../src/index.js';
import type { SmtpSink } from './sink.js';

export const SECRET = 'test-secret-0123456789';

/** A newsletter: users may unsubscribe, so its e-mails carry List-Unsubscribe. */
export class Newsletter extends MessageType<{ subject: string; text: string; html: string }> {
  static override alias = 'newsletter';
  static override title = 'Newsletter';
  static override allowUserSubscription = true;
}

const INVOICE_ATTACHMENTS: EmailAttachment[] = [
  {
    filename: 'invoice.pdf',
    contentBase64: Buffer.from('%PDF-1.4 fake').toString('base64'),
    contentType: 'application/pdf',
  },
  {
    filename: 'logo.png',
    contentBase64: Buffer.from([137, 80, 78, 71]).toString('base64'),
    contentType: 'image/png',
    cid: 'logo@shop',
  },
];

/** A type that hands the messenger a compiled message with headers and attachments (one inline). */
export class Invoice extends MessageType<{ number: string }> {
  static override alias = 'invoice';
  static override compile(render: RenderContext): CompiledMessage {
    return {
      subject: `Invoice ${String(render.context.number)}`,
      text: 'Your invoice is attached.',
      html: '<p>Your invoice is attached. <img src="cid:logo@shop"></p>',
      headers: { 'X-Invoice': String(render.context.number) },
      attachments: INVOICE_ATTACHMENTS,
    };
  }
}

export function messengerFor(sink: SmtpSink, extra: Partial<SmtpServerOptions> = {}): SmtpMessenger {
  return new SmtpMessenger({
    host: '127.0.0.1',
    port: sink.port,
    from: '"Shop" <shop@example.com>',
    ...extra,
  } as SmtpServerOptions);
}

export function engineFor(
  messenger: SmtpMessenger,
  messageTypes: MessageTypeClass[] = [],
): { sitemsg: Sitemsg; clock: ManualClock } {
  const clock = new ManualClock(new Date());
  const sitemsg = createSitemsg({
    messengers: [messenger],
    messageTypes,
    secret: SECRET,
    siteUrl: 'https://shop.example.com',
    clock,
    random: () => 0.5,
    workerId: 'smtp-test',
  });
  return { sitemsg, clock };
}
