/**
 * What each answer of a push service (RFC 8030 §5, RFC 8292 §4, and what FCM, Mozilla autopush,
 * Apple and WNS document) means for a dispatch, as data: one row per answer, first match wins. The
 * README prints this table and test/outcome.test.ts sends each row's answer through the fake.
 */
import type { DeliveryFeedback } from '@sitemsg/core/plugin';
import webpush from 'web-push';
import { WebPushDeliveryError } from './errors.js';

/** What sitemsg does with a dispatch after an answer. */
export type WebPushVerdict =
  /** Not retried; the dispatch fails now. */
  | 'permanent'
  /** Retried with back-off (and after Retry-After when the push service sent one). */
  | 'retryable'
  /** VAPID refused: retryable, not suppressed, logged, and the health check turns unhealthy. */
  | 'configuration';

export interface WebPushOutcomeRow {
  /** HTTP status, a class of statuses, or `network` (no answer: refused, reset, timed out). */
  readonly status: number | '4xx' | '5xx' | 'other' | 'network';
  readonly verdict: WebPushVerdict;
  /** Feedback recorded on the dispatch (and the suppression it implies). */
  readonly feedback?: DeliveryFeedback;
  /**
   * Later requests of the batch to the same push service would fail the same way: they are not
   * made (subscriptions at other push services still are).
   */
  readonly stopsPushService: boolean;
  /** What the answer means. */
  readonly meaning: string;
}

export const WEBPUSH_OUTCOMES: readonly WebPushOutcomeRow[] = [
  {
    status: 400,
    verdict: 'permanent',
    stopsPushService: false,
    meaning:
      'Bad Request: a header or the encrypted body the push service cannot take; the subscription is kept',
  },
  {
    status: 401,
    verdict: 'configuration',
    stopsPushService: true,
    meaning: "Unauthorized: the VAPID token was refused (signature, audience, expiry or the server's clock)",
  },
  {
    status: 403,
    verdict: 'configuration',
    stopsPushService: false,
    meaning:
      'Forbidden: the subscription was made with another VAPID public key (keys changed), or the subject is refused (Apple BadJwtToken)',
  },
  {
    status: 404,
    verdict: 'permanent',
    feedback: 'address-invalid',
    stopsPushService: false,
    meaning: 'Not Found: the subscription does not exist (expired, or never valid)',
  },
  { status: 408, verdict: 'retryable', stopsPushService: false, meaning: 'Request Timeout' },
  {
    status: 410,
    verdict: 'permanent',
    feedback: 'address-invalid',
    stopsPushService: false,
    meaning: 'Gone: the user unsubscribed, revoked the permission or cleared the site data',
  },
  {
    status: 413,
    verdict: 'permanent',
    stopsPushService: false,
    meaning: 'Payload Too Large: the encrypted message is over what this push service takes',
  },
  {
    status: 429,
    verdict: 'retryable',
    stopsPushService: true,
    meaning: 'Too Many Requests: honours Retry-After',
  },
  {
    status: '5xx',
    verdict: 'retryable',
    stopsPushService: false,
    meaning: 'The push service failed: honours Retry-After',
  },
  {
    status: '4xx',
    verdict: 'permanent',
    stopsPushService: false,
    meaning: 'Any other refusal of the request',
  },
  {
    status: 'other',
    verdict: 'permanent',
    stopsPushService: false,
    meaning: 'An answer that is neither success nor an error status (a redirect): not followed',
  },
  {
    status: 'network',
    verdict: 'retryable',
    stopsPushService: true,
    meaning: 'No answer: connection refused or reset, DNS failure, TLS failure, socket timeout',
  },
];

/** The row an answer matches. */
export function outcomeRow(status: number | 'network'): WebPushOutcomeRow {
  const matches = (row: WebPushOutcomeRow): boolean => {
    if (row.status === status) return true;
    if (typeof status !== 'number') return false;
    if (row.status === '5xx') return status >= 500 && status < 600;
    if (row.status === '4xx') return status >= 400 && status < 500;
    return row.status === 'other';
  };
  return WEBPUSH_OUTCOMES.find(matches) ?? WEBPUSH_OUTCOMES.at(-1)!;
}

export interface ClassifyContext {
  readonly alias: string;
  /** The push service's host, named instead of the subscription (whose address holds its secret). */
  readonly host: string;
  readonly now: number;
}

/** A failed push as a DeliveryError, and whether the rest of the batch to this push service should wait. */
export interface WebPushFailure {
  readonly error: WebPushDeliveryError;
  readonly stopsPushService: boolean;
}

/** Classifies what `sendNotification` rejected with: a WebPushError (an answer), a socket error, or a refused input. */
export function classifyFailure(thrown: unknown, ctx: ClassifyContext): WebPushFailure {
  const p = `[${ctx.alias}]`;
  if (!(thrown instanceof webpush.WebPushError)) {
    const code = (thrown as { code?: unknown } | null)?.code;
    const message = thrown instanceof Error ? thrown.message : String(thrown);
    if (typeof code === 'string' || message === 'Socket timeout') {
      const row = outcomeRow('network');
      return {
        error: new WebPushDeliveryError(
          `${p} could not reach the push service at ${ctx.host} (${typeof code === 'string' ? code : 'socket timeout'}); will retry.`,
          { retryable: true },
        ),
        stopsPushService: row.stopsPushService,
      };
    }
    // web-push refused to build the request (it validates its input): retrying cannot help.
    return {
      error: new WebPushDeliveryError(
        `${p} web-push refused the message: ${message.slice(0, 200)}; not retried.`,
        {
          retryable: false,
        },
      ),
      stopsPushService: false,
    };
  }
  const status = thrown.statusCode;
  const row = outcomeRow(status);
  const said = shortBody(thrown.body);
  const answer = `${status}${said ? `: ${said}` : ''}`;
  const base = { statusCode: status, providerCode: String(status), responseBody: said };
  if (row.verdict === 'configuration') {
    return {
      error: new WebPushDeliveryError(
        `${p} the push service at ${ctx.host} refused this server's VAPID credentials (${answer}). Check vapidSubject and that vapidPublicKey is the key the pages subscribed with; dispatches are kept and retried.`,
        { ...base, retryable: true, configuration: true },
      ),
      stopsPushService: row.stopsPushService,
    };
  }
  if (row.verdict === 'retryable') {
    const retryAfterMs = retryAfter(thrown.headers, ctx.now);
    const wait = retryAfterMs === undefined ? '' : ` It asked to wait ${Math.ceil(retryAfterMs / 1000)} s.`;
    return {
      error: new WebPushDeliveryError(
        `${p} the push service at ${ctx.host} could not take the message now (${answer}); will retry.${wait}`,
        { ...base, retryable: true, ...(retryAfterMs !== undefined && { retryAfterMs }) },
      ),
      stopsPushService: row.stopsPushService,
    };
  }
  const gone = row.feedback === 'address-invalid' ? ' The subscription is gone: it is suppressed.' : '';
  return {
    error: new WebPushDeliveryError(
      `${p} the push service at ${ctx.host} refused the message (${answer}); not retried.${gone}`,
      { ...base, retryable: false, ...(row.feedback !== undefined && { feedback: row.feedback }) },
    ),
    stopsPushService: false,
  };
}

/** Retry-After in seconds or as an HTTP date, as milliseconds from now. */
export function retryAfter(
  headers: Readonly<Record<string, unknown>> | undefined,
  now: number,
): number | undefined {
  let value: string | undefined;
  for (const [key, v] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() === 'retry-after' && v !== undefined && v !== null) value = String(v);
  }
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function shortBody(body: unknown): string {
  if (typeof body !== 'string' || body === '') return '';
  const text = body.replace(/\s+/g, ' ').trim();
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
