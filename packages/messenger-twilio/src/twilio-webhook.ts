/**
 * Twilio's messaging webhooks as one framework-neutral handler (core's `WebhookHandler`): the
 * status callbacks of the messages sitemsg sent (`StatusCallback`) and the incoming-message
 * webhook of the sending number (STOP / START). Every request is verified with the SDK's
 * `validateRequest` (`X-Twilio-Signature`: HMAC-SHA1 of the URL and the sorted POST parameters
 * under the auth token) before anything is read from it.
 */
import {
  ConfigurationError,
  type FeedbackInput,
  type FeedbackOutcome,
  type Logger,
  type WebhookHandler,
  type WebhookRequest,
  type WebhookResponse,
  webhookHeader,
} from '@sitemsg/core/plugin';
import twilio from 'twilio';
import { parsePhoneAddress } from './address.js';

export const SIGNATURE_HEADER = 'x-twilio-signature';

/** An incoming message, as the webhook reports it to the application. */
export interface TwilioInboundMessage {
  readonly messageSid: string;
  /** The sender, normalised (`+14155552671`, or `whatsapp:+14155552671`). */
  readonly from: string;
  readonly to: string;
  readonly body: string;
  /** `opted-out` for STOP and its synonyms, `opted-in` for START, `help`, or null for any other text. */
  readonly keyword: 'opted-out' | 'opted-in' | 'help' | null;
}

export interface TwilioWebhookOptions {
  /** The account's auth token: Twilio signs every webhook request with it. */
  readonly authToken: string;
  /** Where feedback is recorded: the engine (`createSitemsg(...)`). */
  readonly sitemsg: { recordFeedback(input: FeedbackInput): Promise<FeedbackOutcome> };
  /** The alias of the Twilio messenger the feedback is about. Default `twilio`. */
  readonly messenger?: string;
  /** Also called for every verified incoming message (after STOP / START is recorded). */
  readonly onInbound?: (message: TwilioInboundMessage) => void | Promise<void>;
  /** Where a failed recording is reported. Default `console`. */
  readonly logger?: Logger;
}

/** Status callback `MessageStatus` → feedback; the other statuses (queued, sending, sent, accepted...) say nothing yet. */
export const TWILIO_STATUS_FEEDBACK: Readonly<Record<string, FeedbackInput['kind'] | 'failure'>> = {
  delivered: 'delivered',
  read: 'read',
  undelivered: 'failure',
  failed: 'failure',
};

/**
 * `ErrorCode` of an undelivered / failed callback → feedback (Twilio's error dictionary). Codes not
 * listed are a soft bounce: the message did not arrive, the number is not known to be dead.
 */
export const TWILIO_CALLBACK_ERRORS: Readonly<Record<string, Pick<FeedbackInput, 'kind' | 'bounce'>>> = {
  /** Unknown destination handset: the number is not in service. */
  '30005': { kind: 'address-invalid' },
  /** Landline or unreachable carrier: the number cannot receive SMS. */
  '30006': { kind: 'address-invalid' },
  /** Attempt to send to unsubscribed recipient (STOP). */
  '21610': { kind: 'opted-out' },
  /** Invalid 'To' phone number. */
  '21211': { kind: 'address-invalid' },
  /** Unreachable destination handset (switched off, no signal): a soft bounce. */
  '30003': { kind: 'bounced', bounce: 'soft' },
};

/** Twilio's default opt-out and opt-in keywords (the whole body, any case), for numbers without Advanced Opt-Out. */
export const OPT_OUT_KEYWORDS: readonly string[] = [
  'STOP',
  'STOPALL',
  'UNSUBSCRIBE',
  'CANCEL',
  'END',
  'QUIT',
  'REVOKE',
  'OPTOUT',
];
export const OPT_IN_KEYWORDS: readonly string[] = ['START', 'YES', 'UNSTOP'];
const HELP_KEYWORDS = ['HELP', 'INFO'];

const OPTIONS = new Set(['authToken', 'sitemsg', 'messenger', 'onInbound', 'logger']);
/** An empty TwiML answer: Twilio sends no reply of its own making (its STOP confirmations still go out). */
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

/**
 * The handler to mount where Twilio posts (express-views: `webhooks: { twilio }` →
 * `/webhooks/twilio`; the messenger's `statusCallbackUrl` and the number's "A message comes in"
 * URL both point there). Answers 403 to a missing or wrong signature (nothing recorded), 400 to
 * a request that is neither a status callback nor a message, 405 to another method, 500 when
 * recording failed (Twilio retries), else 200 (empty TwiML for incoming messages).
 */
export function createTwilioWebhookHandler(options: TwilioWebhookOptions): WebhookHandler {
  for (const key of Object.keys(options)) {
    if (!OPTIONS.has(key)) throw new ConfigurationError(`[twilio] unknown webhook option "${key}".`);
  }
  if (typeof options.authToken !== 'string' || options.authToken.length < 16) {
    throw new ConfigurationError(
      "[twilio] authToken must be the account's auth token: Twilio signs webhooks with it.",
    );
  }
  if (typeof options.sitemsg?.recordFeedback !== 'function') {
    throw new ConfigurationError(
      '[twilio] sitemsg must be the engine (createSitemsg(...)): feedback is recorded there.',
    );
  }
  const messenger = options.messenger ?? 'twilio';
  const logger = options.logger ?? console;
  return async (request) => {
    if (request.method !== 'POST' && request.method !== 'GET') {
      return answer(405, 'application/json', JSON.stringify({ error: 'method_not_allowed' }), {
        Allow: 'POST, GET',
      });
    }
    const params = paramsOf(request);
    const signature = webhookHeader(request, SIGNATURE_HEADER);
    // POST: the URL and the body's parameters are signed; GET: the URL (query included) alone.
    const signed = request.method === 'POST' ? params : {};
    if (!signature || !twilio.validateRequest(options.authToken, signature, request.url, signed)) {
      return answer(
        403,
        'application/json',
        JSON.stringify({
          error: 'signature',
          message:
            '[twilio] X-Twilio-Signature is missing or does not match this URL and body (check authToken and the public URL); nothing was recorded.',
        }),
      );
    }
    const sid = text(params.MessageSid) ?? text(params.SmsSid);
    const status = text(params.MessageStatus) ?? text(params.SmsStatus);
    try {
      if (sid && status && status !== 'received' && text(params.Body) === null) {
        const recorded = await statusCallback(params, sid, status, messenger, options);
        return answer(200, 'application/json', JSON.stringify({ recorded }));
      }
      if (sid && text(params.From)) {
        await incoming(params, sid, messenger, options);
        return answer(200, 'text/xml', EMPTY_TWIML);
      }
    } catch (error) {
      logger.error?.(
        `[sitemsg] [twilio] ${sid ?? 'a request'} could not be recorded; Twilio will retry: ${error instanceof Error ? error.message : String(error)}`,
      );
      return answer(500, 'application/json', JSON.stringify({ error: 'not_recorded' }));
    }
    return answer(
      400,
      'application/json',
      JSON.stringify({ error: 'bad_request', message: 'neither a status callback nor an incoming message' }),
    );
  };
}

async function statusCallback(
  params: Params,
  sid: string,
  status: string,
  messenger: string,
  options: TwilioWebhookOptions,
): Promise<boolean> {
  const mapped = TWILIO_STATUS_FEEDBACK[status];
  if (mapped === undefined) return false;
  const code = text(params.ErrorCode);
  const feedback: Pick<FeedbackInput, 'kind' | 'bounce'> =
    mapped === 'failure'
      ? ((code === null ? undefined : TWILIO_CALLBACK_ERRORS[code]) ?? { kind: 'bounced', bounce: 'soft' })
      : { kind: mapped };
  const detail = text(params.ErrorMessage);
  const outcome = await options.sitemsg.recordFeedback({
    ...feedback,
    messenger,
    providerMessageId: sid,
    // One status reaches one message once: the pair tells a retried callback from a new one.
    eventId: `${sid}:${status}`,
    ...(code !== null && { providerCode: code }),
    ...(detail !== null && { detail: detail.slice(0, 200) }),
  });
  return outcome.recorded;
}

async function incoming(
  params: Params,
  sid: string,
  messenger: string,
  options: TwilioWebhookOptions,
): Promise<void> {
  const rawFrom = text(params.From)!;
  const from = parsePhoneAddress(rawFrom)?.address ?? rawFrom;
  const body = typeof params.Body === 'string' ? params.Body : '';
  const keyword = keywordOf(body, text(params.OptOutType));
  if (keyword === 'opted-out' || keyword === 'opted-in') {
    await options.sitemsg.recordFeedback({
      kind: keyword,
      messenger,
      address: from,
      eventId: sid,
      providerCode: text(params.OptOutType) ?? body.trim().toUpperCase(),
    });
  }
  await options.onInbound?.({
    messageSid: sid,
    from,
    to: text(params.To) ?? '',
    body,
    keyword,
  });
}

/** Twilio's Advanced Opt-Out says it (`OptOutType`); without it, the default keywords on the whole body. */
function keywordOf(body: string, optOutType: string | null): TwilioInboundMessage['keyword'] {
  const said = (optOutType ?? body).trim().toUpperCase();
  if (OPT_OUT_KEYWORDS.includes(said)) return 'opted-out';
  if (OPT_IN_KEYWORDS.includes(said)) return 'opted-in';
  if (HELP_KEYWORDS.includes(said)) return 'help';
  return null;
}

type Params = Record<string, string | string[]>;

/** The form parameters of a POST (repeated names become arrays, as the SDK's validator expects), or the query of a GET. */
function paramsOf(request: WebhookRequest): Params {
  const source =
    request.method === 'POST'
      ? new URLSearchParams(Buffer.from(request.rawBody).toString('utf8'))
      : new URL(request.url).searchParams;
  const params: Params = {};
  for (const [key, value] of source) {
    const had = params[key];
    params[key] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
  }
  return params;
}

function text(value: string | string[] | undefined): string | null {
  const one = Array.isArray(value) ? value[0] : value;
  return typeof one === 'string' && one !== '' ? one : null;
}

function answer(
  status: number,
  type: string,
  body: string,
  headers: Record<string, string> = {},
): WebhookResponse {
  return { status, headers: { 'content-type': type, ...headers }, body };
}
