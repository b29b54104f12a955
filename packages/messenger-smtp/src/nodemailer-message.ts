import { MessageType, type RenderContext, type TemplateRenderer } from '@sitemsg/core';
import type { CompiledMessage } from '@sitemsg/core/plugin';
import type { EmailAttachment } from './compose.js';

/** One attachment as stored: JSON, so the bytes are base64. */
export type StoredAttachment = {
  filename: string;
  contentBase64: string;
  contentType?: string;
  cid?: string;
};

/**
 * What `sitemsgTransport` stores for one `sendMail()`. Address headers are display strings;
 * the recipients themselves are the dispatches (Bcc recipients are dispatches only).
 */
export type NodemailerMessageContext = {
  subject?: string;
  text?: string;
  html?: string;
  from?: string;
  to?: string;
  cc?: string;
  replyTo?: string;
  inReplyTo?: string;
  references?: string;
  headers?: { [name: string]: string };
  attachments?: StoredAttachment[];
};

const ADDRESS_HEADERS = [
  ['from', 'From'],
  ['to', 'To'],
  ['cc', 'Cc'],
  ['replyTo', 'Reply-To'],
  ['inReplyTo', 'In-Reply-To'],
  ['references', 'References'],
] as const;

/**
 * The message type `sitemsgTransport` schedules: a mail as the application gave it to
 * nodemailer (text and HTML as given, attachments, To/Cc/From/Reply-To headers). Register it
 * with `createSitemsg({ messageTypes: [NodemailerMessage] })` in every process that sends.
 */
export class NodemailerMessage extends MessageType<NodemailerMessageContext> {
  static override alias: string = 'email_nodemailer';
  static override title: string = 'E-mail (nodemailer)';

  /** The base compile reads subject, text and html (a text alternative is derived when only HTML was given). */
  static override async compile(
    render: RenderContext,
    renderer: TemplateRenderer | null,
  ): Promise<CompiledMessage> {
    const body = await super.compile(render, renderer);
    const context = render.context as Partial<NodemailerMessageContext>;
    const headers: Record<string, string> = { ...context.headers };
    for (const [key, header] of ADDRESS_HEADERS) {
      const value = context[key];
      if (typeof value === 'string' && value !== '') headers[header] = value;
    }
    const attachments: EmailAttachment[] = (context.attachments ?? []).map((a) => ({
      filename: a.filename,
      contentBase64: a.contentBase64,
      ...(a.contentType !== undefined && { contentType: a.contentType }),
      ...(a.cid !== undefined && { cid: a.cid }),
    }));
    return {
      ...body,
      ...(Object.keys(headers).length > 0 && { headers }),
      ...(attachments.length > 0 && { attachments }),
    };
  }
}
