import type { Sitemsg } from '@sitemsg/core';
import { ConfigurationError, ValidationError } from '@sitemsg/core/plugin';
import type { MailMessage, SentMessageInfo, Transport } from 'nodemailer';
import packageJson from '../package.json' with { type: 'json' };
import { formatMailbox, isEmailAddress, type Mailbox } from './address.js';
import { isFieldHeader, isReservedHeader, isValidHeader } from './compose.js';
import { describeUnsafe, hasUnsafeHeaderChars } from './header-text.js';
import {
  NodemailerMessage,
  type NodemailerMessageContext,
  type StoredAttachment,
} from './nodemailer-message.js';

export interface SitemsgTransportOptions {
  /** The engine that stores and sends the mails; it must have NodemailerMessage registered. */
  readonly sitemsg: Sitemsg;
  /** Messenger alias (or channel) the mails go through. Default `smtp`. */
  readonly messenger?: string;
}

/** What `sendMail()` resolves with: the mail was scheduled (stored), not yet sent. */
export interface SitemsgSentMessageInfo extends SentMessageInfo {
  /** The id of the stored sitemsg message. */
  readonly sitemsgMessageId: string;
  /** The ids of its dispatches, one per recipient. */
  readonly dispatchIds: readonly string[];
}

/** sendMail() fields this transport cannot carry: refused rather than silently dropped. */
const UNSUPPORTED = [
  'raw',
  'envelope',
  'sender',
  'messageId',
  'date',
  'watchHtml',
  'amp',
  'icalEvent',
  'alternatives',
  'list',
  'dkim',
  'dsn',
  'auth',
  'priority',
  'otp',
  'attachDataUrls',
  'encoding',
  'textEncoding',
];
/** sendMail() fields that become headers (or the SMTP envelope): no line breaks or controls in them. */
const HEADER_FIELDS = ['from', 'to', 'cc', 'bcc', 'replyTo', 'inReplyTo', 'references', 'subject'] as const;
/** Attachment keys that become MIME part headers. */
const ATTACHMENT_HEADER_KEYS = new Set(['filename', 'contentType', 'cid', 'contentDisposition']);
const ATTACHMENT_KEYS = new Set([
  'filename',
  'content',
  'path',
  'href',
  'httpHeaders',
  'contentType',
  'encoding',
  'cid',
  'contentDisposition',
]);

/** The normalized fields read here (nodemailer's types describe the caller's input shapes). */
interface NormalizedMail {
  subject?: unknown;
  text?: unknown;
  html?: unknown;
  from?: unknown;
  to?: unknown;
  cc?: unknown;
  bcc?: unknown;
  replyTo?: unknown;
  inReplyTo?: unknown;
  references?: unknown;
  headers?: unknown;
  attachments?: unknown;
}

function refuse(what: string): never {
  throw new ValidationError(`[sitemsg] [transport] ${what}`);
}

function mailboxes(value: unknown): Mailbox[] {
  const out: Mailbox[] = [];
  for (const entry of [value].flat(Number.POSITIVE_INFINITY)) {
    if (!entry || typeof entry !== 'object') continue;
    const { name, address, group } = entry as { name?: unknown; address?: unknown; group?: unknown };
    if (group) out.push(...mailboxes(group));
    else if (typeof address === 'string')
      out.push(typeof name === 'string' && name ? { name, address } : { address });
  }
  return out;
}

function headerList(value: unknown): string | undefined {
  const list = mailboxes(value);
  for (const m of list)
    if (!isEmailAddress(m.address)) refuse(`"${m.address}" is not a valid e-mail address.`);
  return list.length > 0 ? list.map(formatMailbox).join(', ') : undefined;
}

function stringHeaders(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value) || typeof value !== 'object') refuse('headers must be an object of name: value.');
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(value)) {
    const values = [raw].flat().map((v) => (v && typeof v === 'object' && 'value' in v ? v.value : v));
    const [single] = values;
    if (values.length !== 1 || !isValidHeader(name, single)) {
      refuse(`header "${name}" must have a valid name and exactly one string value without line breaks.`);
    }
    if (isReservedHeader(name)) refuse(`header "${name}" is set by sitemsg, per recipient.`);
    if (isFieldHeader(name)) refuse(`header "${name}": use the sendMail() field of that name instead.`);
    out[name] = single;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function storedAttachments(value: unknown): StoredAttachment[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  return value.map((raw: Record<string, unknown>, i) => {
    const { filename, content, encoding, contentType, cid } = raw;
    if (typeof content !== 'string') refuse(`attachment ${i + 1} has no content.`);
    const base64 = encoding === 'base64' ? content : Buffer.from(content, 'utf8').toString('base64');
    return {
      filename: typeof filename === 'string' && filename ? filename : `attachment-${i + 1}`,
      contentBase64: base64,
      ...(typeof contentType === 'string' && { contentType }),
      ...(typeof cid === 'string' && { cid }),
    };
  });
}

/** Checked on the caller's data: normalizing drops `raw`, `path` and `href` once it has read them. */
function checkAttachments(value: unknown): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) refuse('attachments must be an array.');
  for (const [i, raw] of value.entries()) {
    if (typeof raw !== 'object' || raw === null) refuse(`attachment ${i + 1} must be an object.`);
    for (const [key, field] of Object.entries(raw)) {
      if (!ATTACHMENT_KEYS.has(key))
        refuse(`attachment ${i + 1}: "${key}" is not supported by sitemsgTransport.`);
      if (ATTACHMENT_HEADER_KEYS.has(key)) checkHeaderText(`attachment ${i + 1} ${key}`, field);
    }
  }
}

/**
 * Every string in a header-bound field (display names and addresses included, in any of the
 * shapes nodemailer takes), refused when it carries a line break or another control: checked
 * before nodemailer's parser, which would drop some of them and quietly address another mailbox,
 * and before storing, since the worker could only fail the dispatch for good.
 */
function checkHeaderText(field: string, value: unknown): void {
  if (typeof value === 'string') {
    if (hasUnsafeHeaderChars(value)) {
      refuse(
        `${field} contains a line break or a control character (${describeUnsafe(value)}); it would go into a header: remove it.`,
      );
    }
  } else if (Array.isArray(value)) {
    for (const entry of value) checkHeaderText(field, entry);
  } else if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const entry of Object.values(value)) checkHeaderText(field, entry);
  }
}

function optionalString(name: string, value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (Array.isArray(value)) return value.map((v) => optionalString(name, v)).join(' ');
  if (typeof value !== 'string') refuse(`${name} must be a string.`);
  return value;
}

/** The JSON context stored for one mail: text and HTML exactly as given, never one made from the other. */
function contextFromMail(data: NormalizedMail): NodemailerMessageContext {
  const text = optionalString('text', data.text);
  const html = optionalString('html', data.html);
  const fields: NodemailerMessageContext = {
    ...(text === undefined && html === undefined ? { text: '' } : {}),
    ...(text !== undefined && { text }),
    ...(html !== undefined && { html }),
  };
  const entries: [keyof NodemailerMessageContext, string | undefined][] = [
    ['subject', optionalString('subject', data.subject)],
    ['from', headerList(data.from)],
    ['to', headerList(data.to)],
    ['cc', headerList(data.cc)],
    ['replyTo', headerList(data.replyTo)],
    ['inReplyTo', optionalString('inReplyTo', data.inReplyTo)],
    ['references', optionalString('references', data.references)],
  ];
  const context: Record<string, unknown> = { ...fields };
  for (const [key, value] of entries) if (value !== undefined) context[key] = value;
  const headers = stringHeaders(data.headers);
  const attachments = storedAttachments(data.attachments);
  if (headers) context.headers = headers;
  if (attachments) context.attachments = attachments;
  return context as NodemailerMessageContext;
}

function normalize(mail: MailMessage): Promise<NormalizedMail> {
  return new Promise((resolve, reject) => {
    mail.normalize((error, data) => (error ? reject(error) : resolve(data as NormalizedMail)));
  });
}

async function schedule(
  sitemsg: Sitemsg,
  messenger: string,
  mail: MailMessage,
): Promise<SitemsgSentMessageInfo> {
  for (const key of UNSUPPORTED) {
    if ((mail.data as Record<string, unknown>)[key] !== undefined) {
      refuse(
        `sendMail() option "${key}" is not supported: sitemsg builds the envelope and headers per recipient.`,
      );
    }
  }
  for (const field of HEADER_FIELDS) checkHeaderText(field, mail.data[field]);
  checkAttachments(mail.data.attachments);
  const data = await normalize(mail);
  const addresses = [...new Set([data.to, data.cc, data.bcc].flatMap(mailboxes).map((m) => m.address))];
  if (addresses.length === 0) refuse('sendMail() has no to, cc or bcc recipient.');
  const recipients = sitemsg.recipients(messenger, addresses);
  const [result] = await sitemsg.scheduleMessages(new NodemailerMessage(contextFromMail(data)), recipients);
  const envelopeFrom = mailboxes(data.from)[0]?.address ?? false;
  return {
    envelope: { from: envelopeFrom, to: addresses },
    messageId: result!.message.id,
    accepted: addresses,
    rejected: [],
    pending: [],
    response: `scheduled as sitemsg message ${result!.message.id}`,
    sitemsgMessageId: result!.message.id,
    dispatchIds: result!.dispatches.map((d) => d.id),
  };
}

/**
 * A nodemailer transport that schedules instead of sending: `createTransport(sitemsgTransport({ sitemsg }))`
 * turns each `sendMail()` into one stored sitemsg message with one dispatch per to/cc/bcc
 * recipient; a worker then sends them through the messenger (retries, tracking, suppression).
 */
export function sitemsgTransport(options: SitemsgTransportOptions): Transport<SitemsgSentMessageInfo> {
  const { sitemsg, messenger = 'smtp' } = options ?? {};
  for (const key of Object.keys(options ?? {})) {
    if (key !== 'sitemsg' && key !== 'messenger') {
      throw new ConfigurationError(
        `[sitemsg] [transport] unknown option "${key}": the options are sitemsg, messenger.`,
      );
    }
  }
  if (!sitemsg || typeof sitemsg.scheduleMessages !== 'function') {
    throw new ConfigurationError('[sitemsg] [transport] pass { sitemsg }: the engine from createSitemsg().');
  }
  if (sitemsg.getRegisteredMessageTypes().get(NodemailerMessage.alias) !== NodemailerMessage) {
    throw new ConfigurationError(
      '[sitemsg] [transport] register the message type: createSitemsg({ messageTypes: [NodemailerMessage] }), in every process that sends.',
    );
  }
  sitemsg.getRegisteredMessengerObject(messenger);
  return {
    name: 'sitemsg',
    version: packageJson.version,
    send(mail, callback) {
      schedule(sitemsg, messenger, mail).then(
        (info) => callback(null, info),
        (error: Error) => callback(error),
      );
    },
  };
}
