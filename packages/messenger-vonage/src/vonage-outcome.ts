/**
 * What each answer of Vonage's SMS API means for a dispatch, as data. The SMS API answers HTTP 200
 * with a `status` per message part (developer.vonage.com, SMS API "Response codes"); HTTP errors
 * (401, 429, 5xx) and no answer at all are classified after them. The README prints these tables
 * and test/outcome.test.ts sends every row's answer through the fake.
 */
import type { DeliveryFeedback } from '@sitemsg/core/plugin';
import { redact, retryAfterMs, type SmsFailure } from '@sitemsg/sms-kit';
import { VonageDeliveryError } from './errors.js';

/** What sitemsg does with a dispatch after an answer. */
export type VonageVerdict = 'permanent' | 'retryable' | 'configuration';

export interface VonageStatusRow {
  readonly verdict: VonageVerdict;
  readonly feedback?: DeliveryFeedback;
  /** Later requests of the batch would fail the same way: they are not made. */
  readonly stopsBatch: boolean;
  /** Vonage's name for the status. */
  readonly meaning: string;
}

/** `messages[].status` of the SMS API → outcome. A status not listed is permanent. */
export const VONAGE_STATUSES: Readonly<Record<string, VonageStatusRow>> = {
  '1': {
    verdict: 'retryable',
    stopsBatch: true,
    meaning: 'Throttled: sending faster than the account limit (waits throttleRetryMs)',
  },
  '2': { verdict: 'permanent', stopsBatch: false, meaning: 'Missing Parameters' },
  '3': { verdict: 'permanent', stopsBatch: false, meaning: 'Invalid Parameters' },
  '4': { verdict: 'configuration', stopsBatch: true, meaning: 'Invalid Credentials' },
  '5': { verdict: 'retryable', stopsBatch: false, meaning: 'Internal Error' },
  '6': {
    verdict: 'permanent',
    feedback: 'address-invalid',
    stopsBatch: false,
    meaning: 'Invalid Message: unroutable (e.g. an unrecognised number prefix)',
  },
  '7': {
    verdict: 'permanent',
    feedback: 'address-invalid',
    stopsBatch: false,
    meaning: 'Number Barred: the number is on the list of barred numbers',
  },
  '8': {
    verdict: 'configuration',
    stopsBatch: true,
    meaning: 'Partner Account Barred: the account is suspended',
  },
  '9': { verdict: 'configuration', stopsBatch: true, meaning: 'Partner Quota Violation: not enough credit' },
  '10': { verdict: 'retryable', stopsBatch: true, meaning: 'Too Many Existing Binds' },
  '11': { verdict: 'configuration', stopsBatch: true, meaning: 'Account Not Enabled For HTTP' },
  '12': { verdict: 'permanent', stopsBatch: false, meaning: 'Message Too Long' },
  '14': {
    verdict: 'configuration',
    stopsBatch: true,
    meaning: 'Invalid Signature (the account requires signed requests)',
  },
  '15': {
    verdict: 'permanent',
    stopsBatch: false,
    meaning: 'Invalid Sender Address: this from is not allowed for the destination',
  },
  '22': { verdict: 'permanent', stopsBatch: false, meaning: 'Invalid Network Code' },
  '23': {
    verdict: 'configuration',
    stopsBatch: true,
    meaning: 'Invalid Callback Url: fix statusCallbackUrl',
  },
  '29': {
    verdict: 'permanent',
    stopsBatch: false,
    meaning: 'Non-Whitelisted Destination: a demo account may only send to its test numbers',
  },
  '32': { verdict: 'configuration', stopsBatch: true, meaning: 'Signature And API Secret Disallowed' },
  '33': {
    verdict: 'permanent',
    feedback: 'address-invalid',
    stopsBatch: false,
    meaning: 'Number De-activated',
  },
};

/** HTTP answers (and none), for errors outside the per-message statuses. */
export const VONAGE_HTTP_OUTCOMES: readonly ({
  readonly status: number | '4xx' | '5xx' | 'network';
} & VonageStatusRow)[] = [
  {
    status: 401,
    verdict: 'configuration',
    stopsBatch: true,
    meaning: 'Unauthorized: the API key or secret is wrong',
  },
  { status: 403, verdict: 'configuration', stopsBatch: true, meaning: 'Forbidden' },
  { status: 429, verdict: 'retryable', stopsBatch: true, meaning: 'Too Many Requests: honours Retry-After' },
  { status: '5xx', verdict: 'retryable', stopsBatch: false, meaning: 'Vonage failed: honours Retry-After' },
  { status: '4xx', verdict: 'permanent', stopsBatch: false, meaning: 'Any other refusal of the request' },
  {
    status: 'network',
    verdict: 'retryable',
    stopsBatch: true,
    meaning: 'No answer: connection refused or reset, timeout',
  },
];

export interface ClassifyContext {
  readonly alias: string;
  readonly apiSecret: string;
  readonly now: number;
  readonly throttleRetryMs: number;
}

/** A message part Vonage refused (`status` not "0"), as a DeliveryError. */
export function statusFailure(
  status: string,
  errorText: string | undefined,
  ctx: ClassifyContext,
): SmsFailure {
  const row = VONAGE_STATUSES[status] ?? {
    verdict: 'permanent',
    stopsBatch: false,
    meaning: 'Unknown status',
  };
  const said = redact(`status ${status} ${row.meaning}${errorText ? `: ${errorText}` : ''}`, ctx.apiSecret);
  return build(
    row,
    said,
    { providerCode: status, statusCode: 200 },
    ctx,
    status === '1' ? ctx.throttleRetryMs : undefined,
  );
}

/** What the SDK threw that is not a per-message answer: an HTTP error (VetchError) or no answer. */
export function httpFailure(thrown: unknown, ctx: ClassifyContext): SmsFailure {
  const response = (
    thrown as { response?: { status?: unknown; headers?: { get?: (n: string) => string | null } } } | null
  )?.response;
  const status = typeof response?.status === 'number' ? response.status : undefined;
  if (status === undefined) {
    // Never the SDK's error itself (nor as `cause`): its request carries the Authorization header.
    const code =
      (thrown as { code?: unknown; name?: unknown } | null)?.code ??
      (thrown as { name?: unknown } | null)?.name;
    const row = VONAGE_HTTP_OUTCOMES.find((r) => r.status === 'network')!;
    return {
      error: new VonageDeliveryError(
        `[${ctx.alias}] could not reach Vonage (${typeof code === 'string' ? code : 'network error'}); will retry.`,
        {
          retryable: true,
        },
      ),
      stopBatch: row.stopsBatch,
    };
  }
  const row =
    VONAGE_HTTP_OUTCOMES.find((r) => r.status === status) ??
    VONAGE_HTTP_OUTCOMES.find((r) => (status >= 500 ? r.status === '5xx' : r.status === '4xx'))!;
  const wait =
    row.verdict === 'retryable' ? retryAfterMs(response?.headers?.get?.('retry-after'), ctx.now) : undefined;
  return build(row, `HTTP ${status} ${row.meaning}`, { statusCode: status }, ctx, wait);
}

function build(
  row: VonageStatusRow,
  said: string,
  base: { providerCode?: string; statusCode: number },
  ctx: ClassifyContext,
  retryAfterMs: number | undefined,
): SmsFailure {
  const p = `[${ctx.alias}]`;
  if (row.verdict === 'configuration') {
    return {
      error: new VonageDeliveryError(
        `${p} Vonage refused the configuration (${said}). Check apiKey, apiSecret, the account and restHost; dispatches are kept and retried.`,
        { ...base, retryable: true, configuration: true },
      ),
      stopBatch: row.stopsBatch,
    };
  }
  if (row.verdict === 'retryable') {
    const wait = retryAfterMs === undefined ? '' : ` Waiting ${Math.ceil(retryAfterMs / 1000)} s.`;
    return {
      error: new VonageDeliveryError(
        `${p} Vonage could not take the message now (${said}); will retry.${wait}`,
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
    error: new VonageDeliveryError(`${p} Vonage refused the message (${said}); not retried.`, {
      ...base,
      retryable: false,
      ...(row.feedback !== undefined && { feedback: row.feedback }),
    }),
    stopBatch: false,
  };
}
