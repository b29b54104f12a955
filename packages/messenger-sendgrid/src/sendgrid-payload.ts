import type { MailDataRequired } from '@sendgrid/mail';
import type { CompiledMessage, OutgoingDispatch } from '@sitemsg/core/plugin';
import type { EmailAddress } from './address.js';

/** SendGrid refuses more than 1,000 personalizations (and 1,000 recipients) in one /mail/send request. */
export const MAX_PERSONALIZATIONS = 1000;

/** Headers SendGrid's v3 API does not let a request set (its `headers` reference). */
const RESERVED_HEADERS = new Set([
  'x-sg-id',
  'x-sg-eid',
  'received',
  'dkim-signature',
  'content-type',
  'content-transfer-encoding',
  'to',
  'from',
  'subject',
  'reply-to',
  'cc',
  'bcc',
]);

/** What every request of one messenger shares. */
export interface MessageDefaults {
  readonly from: EmailAddress;
  readonly replyTo: EmailAddress | null;
  readonly sandboxMode: boolean;
}

/** A dispatch that cannot be expressed as a SendGrid request, and why. */
export interface Unsendable {
  readonly item: OutgoingDispatch;
  readonly reason: string;
}

/**
 * Groups dispatches whose content is identical into shared requests (same message => same
 * compiled content, unless it was rendered per dispatch), at most 1,000 personalizations each and
 * never the same address twice in one request (SendGrid rejects the whole request for that).
 * Returns the dispatches of each request, in order.
 */
export function planRequests(batch: readonly OutgoingDispatch[]): {
  requests: OutgoingDispatch[][];
  unsendable: Unsendable[];
} {
  const unsendable: Unsendable[] = [];
  const groups = new Map<string, OutgoingDispatch[]>();
  for (const item of batch) {
    const reason = checkCompiled(item.compiled);
    if (reason) {
      unsendable.push({ item, reason });
      continue;
    }
    const key = contentKey(item.compiled);
    const group = groups.get(key) ?? [];
    group.push(item);
    groups.set(key, group);
  }
  return { requests: [...groups.values()].flatMap(chunk), unsendable };
}

/** The /mail/send body for dispatches that share one content: one personalization each, in order. */
export function buildRequest(
  items: readonly OutgoingDispatch[],
  defaults: MessageDefaults,
): MailDataRequired {
  const { compiled } = items[0]!;
  const { replyTo, extra } = splitHeaders(compiled.headers ?? {});
  const content = [
    ...(compiled.text !== '' ? [{ type: 'text/plain', value: compiled.text }] : []),
    ...(compiled.html ? [{ type: 'text/html', value: compiled.html }] : []),
  ];
  const effectiveReplyTo = replyTo ?? defaults.replyTo;
  return {
    from: { ...defaults.from },
    ...(effectiveReplyTo && { replyTo: { ...effectiveReplyTo } }),
    subject: subjectOf(compiled),
    content: content as MailDataRequired['content'] & { 0: { type: string; value: string } },
    personalizations: items.map((item) => personalization(item, extra)),
    ...(compiled.attachments?.length && {
      attachments: compiled.attachments.map((a) => ({
        content: a.contentBase64,
        filename: a.filename,
        ...(a.contentType && { type: a.contentType }),
        disposition: 'attachment',
      })),
    }),
    ...(defaults.sandboxMode && { mailSettings: { sandboxMode: { enable: true } } }),
  };
}

/**
 * Per-recipient data: the address, the ids that SendGrid's event webhook carries back, and the
 * headers (List-Unsubscribe differs per recipient). Message-level `headers` are avoided on purpose:
 * @sendgrid/mail also sends those as HTTP request headers.
 */
function personalization(item: OutgoingDispatch, extra: Record<string, string>) {
  const headers: Record<string, string> = { ...extra };
  if (item.unsubscribeUrl) {
    headers['List-Unsubscribe'] = `<${item.unsubscribeUrl}>`;
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  return {
    to: [{ email: item.dispatch.address }],
    customArgs: { dispatch_id: item.dispatch.id, message_id: item.dispatch.messageId },
    ...(Object.keys(headers).length > 0 && { headers }),
  };
}

function splitHeaders(headers: Readonly<Record<string, string>>): {
  replyTo: EmailAddress | null;
  extra: Record<string, string>;
} {
  let replyTo: EmailAddress | null = null;
  const extra: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === 'reply-to') replyTo = { email: value };
    else extra[name] = value;
  }
  return { replyTo, extra };
}

function checkCompiled(compiled: CompiledMessage): string | null {
  if (compiled.text === '' && !compiled.html) return 'the message has neither text nor HTML to send';
  for (const name of Object.keys(compiled.headers ?? {})) {
    const lower = name.toLowerCase();
    if (lower !== 'reply-to' && RESERVED_HEADERS.has(lower)) {
      return `SendGrid does not let a request set the "${name}" header; remove it from the message type`;
    }
  }
  return null;
}

/** SendGrid requires a subject; a message type without one (plain text) gets its text's first line. */
function subjectOf(compiled: CompiledMessage): string {
  if (compiled.subject?.trim()) return compiled.subject;
  const firstLine =
    compiled.text
      .split('\n')
      .find((line) => line.trim() !== '')
      ?.trim() ?? '';
  if (firstLine === '') return '(no subject)';
  return firstLine.length > 78 ? `${firstLine.slice(0, 77)}…` : firstLine;
}

function contentKey(compiled: CompiledMessage): string {
  return JSON.stringify([
    compiled.subject ?? null,
    compiled.text,
    compiled.html ?? null,
    compiled.attachments ?? null,
    compiled.headers ? Object.entries(compiled.headers).sort() : null,
  ]);
}

function chunk(group: readonly OutgoingDispatch[]): OutgoingDispatch[][] {
  const chunks: { items: OutgoingDispatch[]; addresses: Set<string> }[] = [];
  for (const item of group) {
    const address = item.dispatch.address.toLowerCase();
    let target = chunks.find((c) => c.items.length < MAX_PERSONALIZATIONS && !c.addresses.has(address));
    if (!target) {
      target = { items: [], addresses: new Set() };
      chunks.push(target);
    }
    target.items.push(item);
    target.addresses.add(address);
  }
  return chunks.map((c) => c.items);
}
