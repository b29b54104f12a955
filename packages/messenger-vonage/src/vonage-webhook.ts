/**
 * Vonage SMS API webhooks as one framework-neutral handler (core's `WebhookHandler`): delivery
 * receipts of the messages sitemsg sent, and inbound messages (STOP / START). Vonage signs both
 * when signed webhooks are enabled for the API key: a `sig` parameter over the sorted parameters
 * (with `timestamp` and `nonce` among them) under the account's signature secret, checked here
 * with the SDK's `verifySignature`; then `timestamp` must be within the replay window.
 */
import {
  type Clock,
  ConfigurationError,
  type FeedbackInput,
  type FeedbackOutcome,
  type Logger,
  systemClock,
  type WebhookHandler,
  type WebhookRequest,
  type WebhookResponse,
  webhookHeader,
} from '@sitemsg/core/plugin';
import { Vonage } from '@vonage/server-sdk';
import { fromVonageNumber } from './address.js';

/** Vonage's signature methods (Dashboard > API Settings > Signed webhooks); its default is `md5hash`. */
export type VonageSignatureMethod = 'md5hash' | 'md5hmac' | 'sha1hmac' | 'sha256hmac' | 'sha512hmac';

/** Default replay window, each way, for the signed `timestamp`. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export interface VonageInboundMessage {
  readonly messageId: string;
  /** The sender in E.164 (`+447911123456`). */
  readonly from: string;
  readonly to: string;
  readonly text: string;
  readonly keyword: 'opted-out' | 'opted-in' | null;
}

export interface VonageWebhookOptions {
  /** The signature secret of the API key (Dashboard > API Settings). */
  readonly signatureSecret: string;
  /** The signature method chosen for that key. Default `md5hash` (Vonage's default). */
  readonly signatureMethod?: VonageSignatureMethod;
  /** Where feedback is recorded: the engine (`createSitemsg(...)`). */
  readonly sitemsg: { recordFeedback(input: FeedbackInput): Promise<FeedbackOutcome> };
  /** The alias of the Vonage messenger the feedback is about. Default `vonage`. */
  readonly messenger?: string;
  /** Refuse a request whose signed `timestamp` is further than this from now. Default 300 seconds. */
  readonly toleranceSeconds?: number;
  /** Also called for every verified inbound message (after STOP / START is recorded). */
  readonly onInbound?: (message: VonageInboundMessage) => void | Promise<void>;
  /** "Now" for the replay window. Default the system clock. */
  readonly clock?: Clock;
  /** Where a failed recording is reported. Default `console`. */
  readonly logger?: Logger;
}

/** Delivery receipt `status` → feedback; `accepted`, `buffered` and `unknown` say nothing yet. */
export const VONAGE_DLR_STATUSES: Readonly<Record<string, 'delivered' | 'failure' | 'expired'>> = {
  delivered: 'delivered',
  expired: 'expired',
  failed: 'failure',
  rejected: 'failure',
};

/**
 * `err-code` of a failed / rejected receipt → feedback (Vonage's "SMS Delivery Error Codes"); other
 * codes (1 unknown, 2 absent subscriber - temporary, 6 anti-spam, 7 busy, 8 network error, …) are a
 * soft bounce: the message did not arrive, the number is not known to be dead.
 */
export const VONAGE_DLR_ERRORS: Readonly<Record<string, Pick<FeedbackInput, 'kind' | 'bounce'>>> = {
  /** Absent Subscriber - Permanent: the number is no longer active (remove it, Vonage says). */
  '3': { kind: 'address-invalid' },
  /** Call Barred by User: permanent, the number should be removed until the user lifts the bar. */
  '4': { kind: 'address-invalid' },
  /** Illegal Number: the user asked not to receive messages from this service — an opt-out. */
  '9': { kind: 'opted-out' },
};

const OPT_OUT = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT'];
const OPT_IN = ['START', 'UNSTOP'];
const METHODS: Readonly<Record<VonageSignatureMethod, string>> = {
  md5hash: 'MD5HASH',
  md5hmac: 'MD5HMAC',
  sha1hmac: 'SHA1HMAC',
  sha256hmac: 'SHA256HMAC',
  sha512hmac: 'SHA512HMAC',
};
const OPTIONS = new Set([
  'signatureSecret',
  'signatureMethod',
  'sitemsg',
  'messenger',
  'toleranceSeconds',
  'onInbound',
  'clock',
  'logger',
]);

/**
 * The handler to mount where Vonage calls (express-views: `webhooks: { vonage }` →
 * `/webhooks/vonage`, set as the key's delivery-receipt and inbound URLs, and as the messenger's
 * `statusCallbackUrl`). Takes GET (query), POST form and POST JSON, as Vonage may send any.
 * Answers 401 to a missing or wrong signature or a timestamp outside the window (nothing recorded),
 * 400 to a request that is neither a receipt nor a message, 500 when recording failed (Vonage
 * retries), else 204.
 */
export function createVonageWebhookHandler(options: VonageWebhookOptions): WebhookHandler {
  for (const key of Object.keys(options)) {
    if (!OPTIONS.has(key)) throw new ConfigurationError(`[vonage] unknown webhook option "${key}".`);
  }
  if (typeof options.signatureSecret !== 'string' || options.signatureSecret.length < 8) {
    throw new ConfigurationError(
      '[vonage] signatureSecret must be the signature secret of the API key (Dashboard > API Settings).',
    );
  }
  const method = METHODS[options.signatureMethod ?? 'md5hash'];
  if (!method) {
    throw new ConfigurationError(
      `[vonage] signatureMethod must be one of ${Object.keys(METHODS).join(', ')}.`,
    );
  }
  if (typeof options.sitemsg?.recordFeedback !== 'function') {
    throw new ConfigurationError(
      '[vonage] sitemsg must be the engine (createSitemsg(...)): feedback is recorded there.',
    );
  }
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (!(Number.isFinite(tolerance) && tolerance > 0)) {
    throw new ConfigurationError('[vonage] toleranceSeconds must be a positive number of seconds.');
  }
  // The SDK's SMS client verifies; it never sends from here, so it needs no real credentials.
  const sms = new Vonage({ apiKey: 'webhook', apiSecret: 'not-used-for-verifying' }).sms;
  const clock = options.clock ?? systemClock;
  const messenger = options.messenger ?? 'vonage';
  const logger = options.logger ?? console;
  return async (request) => {
    if (request.method !== 'POST' && request.method !== 'GET')
      return answer(405, { error: 'method_not_allowed' });
    const params = paramsOf(request);
    if (params === null)
      return answer(400, { error: 'bad_request', message: 'the body is not a form or a JSON object' });
    const refuse = (why: string) =>
      answer(401, { error: 'signature', message: `[vonage] webhook refused: ${why}. Nothing was recorded.` });
    const sig = params.sig;
    if (!sig) return refuse('the request carries no sig parameter (enable signed webhooks for the API key)');
    if (
      !sms.verifySignature(sig, params as Record<string, string>, options.signatureSecret, method as never)
    ) {
      return refuse(
        'the signature does not match the parameters (wrong signatureSecret or signatureMethod, or altered)',
      );
    }
    const skew = /^\d{1,12}$/.test(params.timestamp ?? '')
      ? clock.now() / 1000 - Number(params.timestamp)
      : Number.NaN;
    if (!Number.isFinite(skew)) return refuse('the signed timestamp is missing');
    if (Math.abs(skew) > tolerance)
      return refuse(`the signed timestamp is more than ${tolerance} s away from now`);
    try {
      if (params.messageId && params.status) {
        return answer(200, { recorded: await receipt(params, messenger, options) });
      }
      if (params.msisdn && params.text !== undefined && params.messageId) {
        await inbound(params, messenger, options);
        return { status: 204 };
      }
    } catch (error) {
      logger.error?.(
        `[sitemsg] [vonage] ${params.messageId ?? 'a request'} could not be recorded; Vonage will retry: ${error instanceof Error ? error.message : String(error)}`,
      );
      return answer(500, { error: 'not_recorded' });
    }
    return answer(400, {
      error: 'bad_request',
      message: 'neither a delivery receipt nor an inbound message',
    });
  };
}

async function receipt(params: Params, messenger: string, options: VonageWebhookOptions): Promise<boolean> {
  const status = params.status!;
  const mapped = VONAGE_DLR_STATUSES[status];
  if (mapped === undefined) return false;
  const code = params['err-code'];
  const feedback: Pick<FeedbackInput, 'kind' | 'bounce'> =
    mapped === 'delivered'
      ? { kind: 'delivered' }
      : mapped === 'expired'
        ? { kind: 'bounced', bounce: 'soft' }
        : ((code === undefined ? undefined : VONAGE_DLR_ERRORS[code]) ?? { kind: 'bounced', bounce: 'soft' });
  const dispatchId = params['client-ref'];
  const outcome = await options.sitemsg.recordFeedback({
    ...feedback,
    messenger,
    // Every part of a long message has its own message id; the client-ref names the dispatch.
    ...(dispatchId ? { dispatchId } : { providerMessageId: params.messageId! }),
    eventId: `${params.messageId}:${status}`,
    ...(code !== undefined && { providerCode: code }),
  });
  return outcome.recorded;
}

async function inbound(params: Params, messenger: string, options: VonageWebhookOptions): Promise<void> {
  const from = fromVonageNumber(params.msisdn!) ?? params.msisdn!;
  const text = params.text ?? '';
  const said = text.trim().toUpperCase();
  const keyword = OPT_OUT.includes(said) ? 'opted-out' : OPT_IN.includes(said) ? 'opted-in' : null;
  if (keyword) {
    await options.sitemsg.recordFeedback({
      kind: keyword,
      messenger,
      address: from,
      eventId: params.messageId!,
      providerCode: said,
    });
  }
  await options.onInbound?.({ messageId: params.messageId!, from, to: params.to ?? '', text, keyword });
}

type Params = Record<string, string | undefined>;

/** The query parameters merged with the body's (a form, or a JSON object), as Vonage signs them. */
function paramsOf(request: WebhookRequest): Params | null {
  const params: Params = {};
  for (const [key, value] of new URL(request.url).searchParams) params[key] = value;
  if (request.method !== 'POST' || request.rawBody.byteLength === 0) return params;
  const body = Buffer.from(request.rawBody).toString('utf8');
  const type = webhookHeader(request, 'content-type') ?? '';
  if (type.includes('json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return null;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
    for (const [key, value] of Object.entries(parsed)) {
      if (value !== null && value !== undefined)
        params[key] = typeof value === 'string' ? value : String(value);
    }
    return params;
  }
  for (const [key, value] of new URLSearchParams(body)) params[key] = value;
  return params;
}

function answer(status: number, json: object): WebhookResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(json),
  };
}
