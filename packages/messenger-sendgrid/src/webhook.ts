import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import {
  type Clock,
  ConfigurationError,
  err,
  ok,
  type Result,
  SignatureError,
  type SitemsgEventMap,
  systemClock,
  ValidationError,
} from '@sitemsg/core';

export const SIGNATURE_HEADER = 'x-twilio-email-event-webhook-signature';
export const TIMESTAMP_HEADER = 'x-twilio-email-event-webhook-timestamp';

/** A delivered event, mapped back to the dispatch through the `custom_args` the messenger set. */
export interface SendgridDeliveredEvent {
  readonly address: string;
  readonly dispatchId: string | null;
  readonly messageId: string | null;
  /** SendGrid's `sg_message_id` (the request's X-Message-Id plus a per-recipient suffix). */
  readonly providerMessageId: string | null;
  /** The receiving server's answer, e.g. `250 OK`. */
  readonly response: string | null;
  readonly at: Date | null;
}

export interface SendgridEventHandlerOptions {
  /**
   * The verification key of the Signed Event Webhook (SendGrid: Settings > Mail Settings > Event
   * Webhook): base64 DER as SendGrid shows it, a PEM, or a KeyObject. ECDSA P-256.
   */
  readonly publicKey: string | KeyObject;
  /** Where `email:bounced` and `dispatch:delivered` are emitted: the engine (`createSitemsg(...)`) or anything with its `emit`. */
  readonly sitemsg: {
    emit<K extends 'email:bounced' | 'dispatch:delivered'>(event: K, payload: SitemsgEventMap[K]): void;
  };
  /** The messenger alias reported in `dispatch:delivered`. Default `sendgrid`. */
  readonly messenger?: string;
  /** Also called for each `delivered` event, with SendGrid's details (receiving server's response). */
  readonly onDelivered?: (event: SendgridDeliveredEvent) => void | Promise<void>;
  /** Refuse requests whose signed timestamp is older than this (replay window). Default: no limit. */
  readonly maxAgeSeconds?: number;
  readonly clock?: Clock;
}

/** What one verified webhook request contained. */
export interface SendgridWebhookSummary {
  readonly bounced: number;
  readonly delivered: number;
  /** Events sitemsg does not act on (processed, deferred, open, click, ...). */
  readonly ignored: number;
}

export type SendgridWebhookError = SignatureError | ValidationError;

/** Headers as node's IncomingMessage has them, or any record (looked up case-insensitively). */
export type WebhookHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

export type SendgridEventHandler = (
  rawBody: Buffer | string,
  headers: WebhookHeaders,
) => Promise<Result<SendgridWebhookSummary, SendgridWebhookError>>;

/**
 * Verifies and parses SendGrid's signed event webhook. Framework-neutral: pass the raw request
 * body (exactly the bytes received: the signature covers them) and the headers. A bad signature
 * is an `err(SignatureError)` and nothing is emitted; bounce and dropped events become
 * `email:bounced`, delivered events to `dispatch:delivered` (and `onDelivered`).
 */
export function createSendgridEventHandler(options: SendgridEventHandlerOptions): SendgridEventHandler {
  const key = loadPublicKey(options.publicKey);
  const clock = options.clock ?? systemClock;
  if (options.maxAgeSeconds !== undefined && !(options.maxAgeSeconds > 0)) {
    throw new ConfigurationError('[sendgrid] maxAgeSeconds must be a positive number of seconds.');
  }
  return async (rawBody, headers) => {
    const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
    const checked = checkSignature(key, body, headers, clock.now(), options.maxAgeSeconds);
    if (!checked.ok) return checked;
    const events = parseEvents(body);
    if (!events.ok) return events;
    return ok(await dispatchEvents(events.value, options));
  };
}

/** SendGrid's scheme: ECDSA P-256 / SHA-256 over `timestamp + rawBody`, DER signature in base64. */
export function verifySendgridSignature(
  publicKey: string | KeyObject,
  rawBody: Buffer | string,
  signature: string,
  timestamp: string,
): boolean {
  const key = typeof publicKey === 'string' ? loadPublicKey(publicKey) : publicKey;
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  try {
    return verify(
      'sha256',
      Buffer.concat([Buffer.from(timestamp, 'utf8'), body]),
      { key, dsaEncoding: 'der' },
      Buffer.from(signature, 'base64'),
    );
  } catch {
    return false; // a signature that is not DER at all
  }
}

function loadPublicKey(publicKey: string | KeyObject): KeyObject {
  let key: KeyObject;
  try {
    key =
      typeof publicKey !== 'string'
        ? publicKey
        : publicKey.includes('BEGIN PUBLIC KEY')
          ? createPublicKey(publicKey)
          : createPublicKey({ key: Buffer.from(publicKey.trim(), 'base64'), format: 'der', type: 'spki' });
  } catch (cause) {
    throw new ConfigurationError(
      '[sendgrid] publicKey is not a public key: paste the "Verification Key" of the Signed Event Webhook.',
      { cause },
    );
  }
  if (key.type !== 'public' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new ConfigurationError(
      '[sendgrid] publicKey must be an ECDSA P-256 public key, as SendGrid issues.',
    );
  }
  return key;
}

function checkSignature(
  key: KeyObject,
  body: Buffer,
  headers: WebhookHeaders,
  now: number,
  maxAgeSeconds: number | undefined,
): Result<void, SignatureError> {
  const signature = header(headers, SIGNATURE_HEADER);
  const timestamp = header(headers, TIMESTAMP_HEADER);
  const refuse = (why: string) =>
    err(new SignatureError(`[sendgrid] event webhook refused: ${why}. Nothing was recorded.`));
  if (!signature || !timestamp) return refuse('the signature or timestamp header is missing');
  if (!verifySendgridSignature(key, body, signature, timestamp)) {
    return refuse(
      'the signature does not match the body and timestamp (wrong publicKey, or an altered body)',
    );
  }
  if (maxAgeSeconds !== undefined) {
    const age = now / 1000 - Number(timestamp);
    if (!Number.isFinite(age) || age > maxAgeSeconds)
      return refuse(`the signed timestamp is older than ${maxAgeSeconds} s`);
  }
  return ok(undefined);
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return typeof value === 'string' ? value : value?.[0];
  }
  return undefined;
}

type RawEvent = Readonly<Record<string, unknown>>;

function parseEvents(body: Buffer): Result<RawEvent[], ValidationError> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    !Array.isArray(parsed) ||
    !parsed.every((e) => typeof e === 'object' && e !== null && !Array.isArray(e))
  ) {
    return err(new ValidationError('[sendgrid] event webhook body is not a JSON array of events.'));
  }
  return ok(parsed as RawEvent[]);
}

async function dispatchEvents(
  events: readonly RawEvent[],
  options: SendgridEventHandlerOptions,
): Promise<SendgridWebhookSummary> {
  const summary = { bounced: 0, delivered: 0, ignored: 0 };
  for (const event of events) {
    const address = text(event.email);
    if (address === null) {
      summary.ignored++;
    } else if (event.event === 'bounce' || event.event === 'dropped') {
      options.sitemsg.emit('email:bounced', bounce(event, address));
      summary.bounced++;
    } else if (event.event === 'delivered') {
      const details = delivered(event, address);
      options.sitemsg.emit('dispatch:delivered', {
        dispatchId: details.dispatchId,
        address,
        messenger: options.messenger ?? 'sendgrid',
        ...(details.providerMessageId !== null && { providerMessageId: details.providerMessageId }),
        at: details.at ?? new Date(),
      });
      await options.onDelivered?.(details);
      summary.delivered++;
    } else {
      summary.ignored++;
    }
  }
  return summary;
}

/** `bounce` of type `blocked` is SendGrid's temporary refusal; `bounce` proper and `dropped` are final. */
function bounce(event: RawEvent, address: string): SitemsgEventMap['email:bounced'] {
  const permanent = !(event.event === 'bounce' && event.type === 'blocked');
  const reason = [text(event.status), text(event.reason) ?? text(event.type) ?? String(event.event)]
    .filter(Boolean)
    .join(' ');
  return { address, dispatchId: text(event.dispatch_id), reason, permanent };
}

function delivered(event: RawEvent, address: string): SendgridDeliveredEvent {
  const seconds = typeof event.timestamp === 'number' ? event.timestamp : Number.NaN;
  return {
    address,
    dispatchId: text(event.dispatch_id),
    messageId: text(event.message_id),
    providerMessageId: text(event.sg_message_id),
    response: text(event.response),
    at: Number.isFinite(seconds) ? new Date(seconds * 1000) : null,
  };
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
