import {
  type Attachment,
  DeliveryError,
  err,
  type OutgoingDispatch,
  ok,
  type Result,
} from '@sitemsg/core/plugin';
import type { SendMailOptions } from 'nodemailer';
import { formatMailbox, type Mailbox, messageIdFor } from './address.js';
import { hasUnsafeHeaderChars } from './header-text.js';

/** An attachment a message type may return: core's Attachment plus a Content-ID for inline images (`<img src="cid:...">`). */
export interface EmailAttachment extends Attachment {
  readonly cid?: string;
}

export interface ComposeSettings {
  readonly alias: string;
  readonly from: Mailbox;
  readonly replyTo: Mailbox | null;
  readonly listUnsubscribeMailto: string | null;
  readonly messageIdDomain: string;
}

/** Headers a message type may set, read into nodemailer's own fields (which parse and encode them). */
const FIELD_HEADERS: Readonly<Record<string, 'from' | 'to' | 'cc' | 'replyTo' | 'inReplyTo' | 'references'>> =
  {
    from: 'from',
    to: 'to',
    cc: 'cc',
    'reply-to': 'replyTo',
    'in-reply-to': 'inReplyTo',
    references: 'references',
  };

/** Headers the messenger owns: a message type setting one is a permanent error for that dispatch. */
const RESERVED = new Set([
  'bcc',
  'sender',
  'message-id',
  'date',
  'subject',
  'list-unsubscribe',
  'list-unsubscribe-post',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'return-path',
]);

const HEADER_NAME = /^[!-9;-~]+$/;

/** Whether a message type may not set this header (the messenger sets it, or it would break MIME). */
export function isReservedHeader(name: string): boolean {
  return RESERVED.has(name.toLowerCase());
}

/** Whether a header is read into one of nodemailer's address or threading fields. */
export function isFieldHeader(name: string): boolean {
  return FIELD_HEADERS[name.toLowerCase()] !== undefined;
}

/** Whether a header name and value can go on the wire as they are (no line breaks or controls: no header injection). */
export function isValidHeader(name: string, value: unknown): value is string {
  return HEADER_NAME.test(name) && typeof value === 'string' && !hasUnsafeHeaderChars(value);
}
const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

function refuse(alias: string, dispatch: OutgoingDispatch, what: string): Result<never, DeliveryError> {
  return err(
    DeliveryError.permanent(
      `[sitemsg] [${alias}] message type "${dispatch.message.type}" ${what}; fix the message type, this dispatch will not be retried.`,
    ),
  );
}

/** `<https://...>, <mailto:...>` (RFC 2369) for a dispatch whose type allows unsubscription. */
function listUnsubscribe(settings: ComposeSettings, item: OutgoingDispatch): Record<string, string> {
  if (!item.unsubscribeUrl) return {};
  const links = [`<${item.unsubscribeUrl}>`];
  if (settings.listUnsubscribeMailto) {
    const subject = encodeURIComponent(`unsubscribe ${item.dispatch.id}`);
    links.push(`<mailto:${settings.listUnsubscribeMailto}?subject=${subject}>`);
  }
  return {
    'List-Unsubscribe': links.join(', '),
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
}

function attachmentsOf(
  settings: ComposeSettings,
  item: OutgoingDispatch,
): Result<SendMailOptions['attachments'], DeliveryError> {
  const out: NonNullable<SendMailOptions['attachments']> = [];
  for (const a of item.compiled.attachments ?? []) {
    if (
      typeof a.filename !== 'string' ||
      typeof a.contentBase64 !== 'string' ||
      !BASE64.test(a.contentBase64)
    ) {
      return refuse(settings.alias, item, 'returned an attachment without a filename or with invalid base64');
    }
    const cid = 'cid' in a && typeof a.cid === 'string' ? a.cid : undefined;
    out.push({
      filename: a.filename,
      content: a.contentBase64,
      encoding: 'base64',
      ...(a.contentType !== undefined && { contentType: a.contentType }),
      ...(cid !== undefined && { cid }),
    });
  }
  return ok(out);
}

/**
 * One dispatch as nodemailer mail options: the envelope goes to the dispatch's address only,
 * whatever the To/Cc headers say, so a Bcc recipient never shows in anyone's headers.
 */
export function composeMail(
  settings: ComposeSettings,
  item: OutgoingDispatch,
  now: Date,
): Result<SendMailOptions, DeliveryError> {
  const { compiled, dispatch } = item;
  const fields: Record<string, string> = {};
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(compiled.headers ?? {})) {
    const key = name.toLowerCase();
    if (!isValidHeader(name, value)) return refuse(settings.alias, item, `set an invalid header "${name}"`);
    if (RESERVED.has(key))
      return refuse(settings.alias, item, `set the header "${name}", which the messenger sets`);
    const field = FIELD_HEADERS[key];
    if (field) fields[field] = value;
    else headers[name] = value;
  }
  const attachments = attachmentsOf(settings, item);
  if (!attachments.ok) return attachments;
  const subject = compiled.subject ?? compiled.title;
  const replyTo = fields.replyTo ?? (settings.replyTo && formatMailbox(settings.replyTo));
  return ok({
    ...fields,
    from: fields.from ?? formatMailbox(settings.from),
    to: fields.to ?? dispatch.address,
    envelope: { from: settings.from.address, to: [dispatch.address] },
    ...(replyTo && { replyTo }),
    ...(subject !== undefined && { subject }),
    text: compiled.text,
    ...(compiled.html !== undefined && { html: compiled.html }),
    ...(attachments.value?.length && { attachments: attachments.value }),
    messageId: messageIdFor(dispatch.id, settings.messageIdDomain),
    date: now,
    headers: { ...headers, ...listUnsubscribe(settings, item) },
  });
}
