/**
 * What each answer of Twilio's Messages API means for a dispatch, as data: one row per answer,
 * first match wins. Error codes and their meanings are Twilio's (twilio.com/docs/api/errors);
 * the README prints this table and test/outcome.test.ts sends each row's answer through the fake.
 */
import type { DeliveryFeedback } from '@sitemsg/core/plugin';
import { redact, retryAfterMs, type SmsFailure } from '@sitemsg/sms-kit';
import { TwilioDeliveryError } from './errors.js';
import { TwilioHttpAnswer } from './twilio-http-client.js';

/** What sitemsg does with a dispatch after an answer. */
export type TwilioVerdict =
  /** Not retried; the dispatch fails now. */
  | 'permanent'
  /** Retried with back-off (and after Retry-After when Twilio sent one). */
  | 'retryable'
  /** Credentials or account refused: retryable, the rest of the batch is not tried, health turns unhealthy. */
  | 'configuration';

export interface TwilioOutcomeRow {
  /** HTTP status, a class of statuses, or `network` (no answer: refused, reset, timed out). */
  readonly status: number | '4xx' | '5xx' | 'network';
  /** Twilio's error `code` in the JSON body, when the row is about one code. */
  readonly code?: number;
  readonly verdict: TwilioVerdict;
  /** Feedback recorded on the dispatch (and the suppression it implies). */
  readonly feedback?: DeliveryFeedback;
  /** Later requests of the batch would fail the same way: they are not made. */
  readonly stopsBatch: boolean;
  /** What Twilio says it means. */
  readonly meaning: string;
}

export const TWILIO_OUTCOMES: readonly TwilioOutcomeRow[] = [
  {
    status: 400,
    code: 21211,
    verdict: 'permanent',
    feedback: 'address-invalid',
    stopsBatch: false,
    meaning: "Invalid 'To' phone number",
  },
  {
    status: 400,
    code: 21610,
    verdict: 'permanent',
    feedback: 'opted-out',
    stopsBatch: false,
    meaning: 'Attempt to send to unsubscribed recipient (the recipient replied STOP)',
  },
  {
    status: 400,
    code: 21614,
    verdict: 'permanent',
    feedback: 'address-invalid',
    stopsBatch: false,
    meaning: "'To' number is not a valid mobile number (a landline cannot receive SMS)",
  },
  {
    status: 400,
    code: 21408,
    verdict: 'permanent',
    stopsBatch: false,
    meaning:
      "Permission to send an SMS has not been enabled for the region indicated by the 'To' number (an account setting: the number itself is fine, so it is not suppressed)",
  },
  {
    status: 401,
    verdict: 'configuration',
    stopsBatch: true,
    meaning: 'Authenticate (20003): the account SID or auth token is wrong',
  },
  {
    status: 403,
    verdict: 'configuration',
    stopsBatch: true,
    meaning: 'Forbidden: the credentials may not send messages (suspended account, restricted key)',
  },
  {
    status: 404,
    verdict: 'configuration',
    stopsBatch: true,
    meaning: 'No Messages resource at the configured baseUrl / account (20404)',
  },
  { status: 408, verdict: 'retryable', stopsBatch: false, meaning: 'Request timeout' },
  { status: 409, verdict: 'retryable', stopsBatch: false, meaning: 'Conflict' },
  {
    status: 429,
    verdict: 'retryable',
    stopsBatch: true,
    meaning: 'Too Many Requests (20429): honours Retry-After',
  },
  { status: '5xx', verdict: 'retryable', stopsBatch: false, meaning: 'Twilio failed: honours Retry-After' },
  { status: '4xx', verdict: 'permanent', stopsBatch: false, meaning: 'Any other refusal of the request' },
  {
    status: 'network',
    verdict: 'retryable',
    stopsBatch: true,
    meaning: 'No answer: connection refused or reset, DNS failure, timeout',
  },
];

/** The row an answer matches. */
export function outcomeRow(status: number | 'network', code: number | undefined): TwilioOutcomeRow {
  const matches = (row: TwilioOutcomeRow): boolean => {
    if (row.code !== undefined && row.code !== code) return false;
    if (row.status === status) return true;
    if (typeof status !== 'number') return false;
    if (row.status === '5xx') return status >= 500;
    if (row.status === '4xx') return status >= 400 && status < 500;
    return false;
  };
  return TWILIO_OUTCOMES.find(matches) ?? TWILIO_OUTCOMES.at(-1)!;
}

export interface ClassifyContext {
  readonly alias: string;
  /** Removed from anything quoted back, should a proxy or a fake ever echo it. */
  readonly authToken: string;
  readonly now: number;
}

/** Classifies what `messages.create` rejected with: a TwilioHttpAnswer, or a network error from axios. */
export function classifyFailure(thrown: unknown, ctx: ClassifyContext): SmsFailure {
  const p = `[${ctx.alias}]`;
  if (!(thrown instanceof TwilioHttpAnswer)) {
    // Never the axios error itself (nor as `cause`): its config carries the Authorization header.
    const code = (thrown as { code?: unknown } | null)?.code;
    const what = typeof code === 'string' ? code : 'network error';
    const row = outcomeRow('network', undefined);
    return {
      error: new TwilioDeliveryError(`${p} could not reach Twilio (${what}); will retry.`, {
        retryable: true,
      }),
      stopBatch: row.stopsBatch,
    };
  }
  const body = (typeof thrown.body === 'object' && thrown.body !== null ? thrown.body : {}) as Record<
    string,
    unknown
  >;
  const code = typeof body.code === 'number' ? body.code : undefined;
  const said = redact(
    [typeof body.message === 'string' ? body.message : '', typeof body.detail === 'string' ? body.detail : '']
      .filter(Boolean)
      .join(': ') || 'no details',
    ctx.authToken,
  );
  const row = outcomeRow(thrown.status, code);
  const answer = `${thrown.status}${code === undefined ? '' : ` ${code}`}: ${said}`;
  const base = {
    statusCode: thrown.status,
    ...(code !== undefined && { providerCode: String(code) }),
    responseBody: redact(shortBody(thrown.body), ctx.authToken),
  };
  if (row.verdict === 'configuration') {
    return {
      error: new TwilioDeliveryError(
        `${p} Twilio refused the configuration (${answer}). Check accountSid, authToken and baseUrl; dispatches are kept and retried.`,
        { ...base, retryable: true, configuration: true },
      ),
      stopBatch: row.stopsBatch,
    };
  }
  if (row.verdict === 'retryable') {
    const retryAfterMs = retryAfter(thrown.headers, ctx.now);
    const wait =
      retryAfterMs === undefined ? '' : ` Twilio asked to wait ${Math.ceil(retryAfterMs / 1000)} s.`;
    return {
      error: new TwilioDeliveryError(
        `${p} Twilio could not take the message now (${answer}); will retry.${wait}`,
        {
          ...base,
          retryable: true,
          ...(retryAfterMs !== undefined && { retryAfterMs }),
        },
      ),
      stopBatch: row.stopsBatch,
    };
  }
  return {
    error: new TwilioDeliveryError(`${p} Twilio refused the message (${answer}); not retried.`, {
      ...base,
      retryable: false,
      ...(row.feedback !== undefined && { feedback: row.feedback }),
    }),
    stopBatch: false,
  };
}

/** Retry-After (seconds or an HTTP date) from the answer's headers, as milliseconds from now. */
function retryAfter(headers: Readonly<Record<string, unknown>>, now: number): number | undefined {
  let value: string | undefined;
  for (const [key, v] of Object.entries(headers)) {
    if (key.toLowerCase() === 'retry-after' && v !== undefined && v !== null) value = String(v);
  }
  return retryAfterMs(value, now);
}

function shortBody(body: unknown): string {
  if (body === undefined || body === null || body === '') return '';
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
