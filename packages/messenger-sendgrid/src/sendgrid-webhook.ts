/**
 * SendGrid's Signed Event Webhook as a framework-neutral handler (core's `WebhookHandler`):
 * verify the signature and the replay window, parse, record events as delivery feedback once each,
 * and describe the answer SendGrid's retry logic expects.
 */
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import {
  type Clock,
  ConfigurationError,
  err,
  type FeedbackInput,
  type FeedbackOutcome,
  type Logger,
  ok,
  type Result,
  SignatureError,
  systemClock,
  ValidationError,
  type WebhookHandler,
  type WebhookRequest,
  type WebhookResponse,
  webhookHeader,
} from '@sitemsg/core/plugin';

export const SIGNATURE_HEADER = 'x-twilio-email-event-webhook-signature';
export const TIMESTAMP_HEADER = 'x-twilio-email-event-webhook-timestamp';

/** Default replay window, each way: SendGrid signs each POST (retries included) with the time it sends it. */
export const DEFAULT_TOLERANCE_SECONDS = 300;
/** Default number of `sg_event_id`s remembered to skip redelivered events (about 1.4 MB of heap with 48-character ids, measured). */
export const DEFAULT_REMEMBERED_EVENT_IDS = 10_000;

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

export interface SendgridWebhookOptions {
  /**
   * The verification key of the Signed Event Webhook (SendGrid: Settings > Mail Settings > Event
   * Webhook): base64 DER as SendGrid shows it, a PEM, or a KeyObject. ECDSA P-256.
   */
  readonly publicKey: string | KeyObject;
  /** Where the events are recorded as delivery feedback: the engine (`createSitemsg(...)`). */
  readonly sitemsg: { recordFeedback(input: FeedbackInput): Promise<FeedbackOutcome> };
  /** The alias of the SendGrid messenger the feedback is about. Default `sendgrid`. */
  readonly messenger?: string;
  /** Also called for each `delivered` event, with SendGrid's details (receiving server's response). */
  readonly onDelivered?: (event: SendgridDeliveredEvent) => void | Promise<void>;
  /**
   * Refuse a request whose signed timestamp is further than this from now, in the past or the
   * future (a replayed capture, a forged clock). Default 300 seconds.
   */
  readonly toleranceSeconds?: number;
  /**
   * How many `sg_event_id`s of processed events this handler remembers, oldest forgotten first,
   * so that a batch SendGrid posts again does not process its events twice. Default 10000
   * (about 1.4 MB); 0 remembers none. Per process: see the README.
   */
  readonly rememberEventIds?: number;
  /** "Now" for the replay window. Default the system clock. */
  readonly clock?: Clock;
  /** Where a listener that threw is reported. Default `console`. */
  readonly logger?: Logger;
}

/** What one verified webhook request contained. */
export interface SendgridWebhookSummary {
  /** Events recorded as delivery feedback (delivered, bounced, complained, opted-out, read). */
  readonly recorded: number;
  /** Events sitemsg does not act on (processed, deferred, click, ...). */
  readonly ignored: number;
  /** Events whose `sg_event_id` was already processed (SendGrid posted them again): skipped. */
  readonly duplicates: number;
  /** Events whose listener threw: not remembered, so SendGrid's retry processes them again. */
  readonly failed: number;
}

const OPTIONS = new Set([
  'publicKey',
  'sitemsg',
  'messenger',
  'onDelivered',
  'toleranceSeconds',
  'rememberEventIds',
  'clock',
  'logger',
]);

/**
 * The handler to mount at SendGrid's Event Webhook URL (express-views: `webhooks: { sendgrid }`).
 * Answers: 200 with the summary; 401 for a missing or wrong signature or a timestamp outside the
 * window (nothing emitted); 400 for a body that is not a JSON array; 405 for another method; 500
 * when a listener threw, so that SendGrid posts the batch again — its events that were processed
 * are then skipped by `sg_event_id`, and only the failed ones run again.
 */
export function createSendgridWebhookHandler(options: SendgridWebhookOptions): WebhookHandler {
  for (const key of Object.keys(options)) {
    if (key === 'maxAgeSeconds') {
      throw new ConfigurationError(
        '[sendgrid] maxAgeSeconds was replaced by toleranceSeconds (default 300, applied to past and future timestamps).',
      );
    }
    if (!OPTIONS.has(key)) throw new ConfigurationError(`[sendgrid] unknown webhook option "${key}".`);
  }
  const key = loadPublicKey(options.publicKey);
  const clock = options.clock ?? systemClock;
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (!(Number.isFinite(tolerance) && tolerance > 0)) {
    throw new ConfigurationError('[sendgrid] toleranceSeconds must be a positive number of seconds.');
  }
  const remember = options.rememberEventIds ?? DEFAULT_REMEMBERED_EVENT_IDS;
  if (!(Number.isInteger(remember) && remember >= 0)) {
    throw new ConfigurationError('[sendgrid] rememberEventIds must be a whole number (0 or more).');
  }
  const seen = new RecentIds(remember);
  const logger = options.logger ?? console;
  return async (request) => {
    if (request.method !== 'POST') {
      return answer(
        405,
        { error: 'method_not_allowed', message: 'SendGrid posts events.' },
        { Allow: 'POST' },
      );
    }
    const body = Buffer.from(request.rawBody.buffer, request.rawBody.byteOffset, request.rawBody.byteLength);
    const checked = checkSignature(key, body, request, clock.now(), tolerance);
    if (!checked.ok) return answer(401, { error: 'signature', message: checked.error.message });
    const events = parseEvents(body);
    if (!events.ok) return answer(400, { error: 'bad_request', message: events.error.message });
    const summary = await dispatchEvents(events.value, options, seen, logger);
    if (summary.failed > 0) {
      return answer(500, {
        error: 'listener_failed',
        message: `${summary.failed} event(s) could not be processed; post the batch again (SendGrid retries) and they alone will run again.`,
      });
    }
    return answer(200, summary);
  };
}

function answer(status: number, json: object, headers: Record<string, string> = {}): WebhookResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(json),
  };
}

/**
 * The ids of the last `capacity` events processed or in progress, oldest forgotten first: a Set
 * keeps insertion order, so the first entry is always the oldest.
 */
class RecentIds {
  private readonly done = new Set<string>();
  private readonly inFlight = new Set<string>();
  private readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  /** False when the id was processed or is being processed (a concurrent redelivery). */
  claim(id: string): boolean {
    if (this.capacity === 0) return true;
    if (this.done.has(id) || this.inFlight.has(id)) return false;
    this.inFlight.add(id);
    return true;
  }

  finish(id: string, succeeded: boolean): void {
    if (this.capacity === 0) return;
    this.inFlight.delete(id);
    if (!succeeded) return;
    this.done.add(id);
    if (this.done.size > this.capacity) this.done.delete(this.done.values().next().value as string);
  }
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
  request: WebhookRequest,
  now: number,
  toleranceSeconds: number,
): Result<void, SignatureError> {
  const signature = webhookHeader(request, SIGNATURE_HEADER);
  const timestamp = webhookHeader(request, TIMESTAMP_HEADER);
  const refuse = (why: string) =>
    err(new SignatureError(`[sendgrid] event webhook refused: ${why}. Nothing was recorded.`));
  if (!signature || !timestamp) return refuse('the signature or timestamp header is missing');
  if (!verifySendgridSignature(key, body, signature, timestamp)) {
    return refuse(
      'the signature does not match the body and timestamp (wrong publicKey, or an altered body)',
    );
  }
  // Checked after the signature, so an unsigned request learns nothing about our clock.
  const skew = /^\d{1,12}$/.test(timestamp) ? now / 1000 - Number(timestamp) : Number.NaN;
  if (!Number.isFinite(skew)) return refuse('the signed timestamp is not a number of seconds');
  if (skew > toleranceSeconds) return refuse(`the signed timestamp is older than ${toleranceSeconds} s`);
  if (-skew > toleranceSeconds) {
    return refuse(`the signed timestamp is more than ${toleranceSeconds} s in the future`);
  }
  return ok(undefined);
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

/** SendGrid event types → sitemsg feedback. `bounce` of type `blocked` is a temporary refusal. */
function feedbackOf(event: RawEvent): Pick<FeedbackInput, 'kind' | 'bounce'> | null {
  switch (event.event) {
    case 'delivered':
      return { kind: 'delivered' };
    case 'bounce':
      return { kind: 'bounced', bounce: event.type === 'blocked' ? 'soft' : 'hard' };
    case 'dropped':
      return { kind: 'bounced', bounce: 'hard' };
    case 'spamreport':
      return { kind: 'complained' };
    case 'unsubscribe':
    case 'group_unsubscribe':
      return { kind: 'opted-out' };
    case 'open':
      return { kind: 'read' };
    default:
      return null;
  }
}

/**
 * Records each event as delivery feedback, at most once per remembered `sg_event_id` (the store
 * also keeps each event id once per dispatch, across processes). One event that fails does not
 * stop the batch: the others are recorded and remembered, the failed one is not, so the retry
 * SendGrid makes after our 500 runs it alone. Events without an `sg_event_id` cannot be told
 * apart and are recorded every time they arrive.
 */
async function dispatchEvents(
  events: readonly RawEvent[],
  options: SendgridWebhookOptions,
  seen: RecentIds,
  logger: Logger,
): Promise<SendgridWebhookSummary> {
  const summary = { recorded: 0, ignored: 0, duplicates: 0, failed: 0 };
  for (const event of events) {
    const address = text(event.email);
    const feedback = address === null ? null : feedbackOf(event);
    if (address === null || feedback === null) {
      summary.ignored++;
      continue;
    }
    const id = text(event.sg_event_id);
    if (id !== null && !seen.claim(id)) {
      summary.duplicates++;
      continue;
    }
    try {
      // The application's callback first: it is the step that may throw, and when it does nothing
      // has been recorded yet, so the retry records it once.
      if (feedback.kind === 'delivered') await options.onDelivered?.(delivered(event, address));
      const outcome = await options.sitemsg.recordFeedback(toFeedback(event, address, feedback, options));
      summary[outcome.recorded ? 'recorded' : 'duplicates']++;
      if (id !== null) seen.finish(id, true);
    } catch (error) {
      if (id !== null) seen.finish(id, false);
      summary.failed++;
      logger.error?.(
        `[sitemsg] [sendgrid] event ${id ?? '(no sg_event_id)'} (${String(event.event)}) could not be recorded; SendGrid will post it again: ${String(error)}`,
        { error },
      );
    }
  }
  return summary;
}

function toFeedback(
  event: RawEvent,
  address: string,
  feedback: Pick<FeedbackInput, 'kind' | 'bounce'>,
  options: SendgridWebhookOptions,
): FeedbackInput {
  const seconds = typeof event.timestamp === 'number' ? event.timestamp : Number.NaN;
  const dispatchId = text(event.dispatch_id);
  const eventId = text(event.sg_event_id);
  const code = text(event.status);
  const detail = text(event.reason) ?? text(event.response) ?? text(event.type);
  return {
    ...feedback,
    messenger: options.messenger ?? 'sendgrid',
    address,
    ...(dispatchId !== null && { dispatchId }),
    ...(eventId !== null && { eventId }),
    ...(code !== null && { providerCode: code }),
    ...(detail !== null && { detail }),
    ...(Number.isFinite(seconds) && { at: new Date(seconds * 1000) }),
  };
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
