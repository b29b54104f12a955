/**
 * What each answer of FCM's HTTP v1 `messages:send` means for a dispatch, as data: one row per
 * answer, first match wins. Codes are FCM's (firebase.google.com/docs/reference/fcm/rest/v1/ErrorCode):
 * the `errorCode` of the `google.firebase.fcm.v1.FcmError` detail when the answer has one, else the
 * canonical `status` — the order firebase-admin reads them in. `sdkCode` is what firebase-admin
 * turns the answer into; it cannot tell these rows apart by itself (SENDER_ID_MISMATCH and
 * PERMISSION_DENIED are both `mismatched-credential`; a bad token and a bad field both
 * `invalid-argument`; Retry-After is dropped), which is why the answer is read off the wire
 * (fcm-exchange.ts). The README prints this table; test/outcome.test.ts sends each row through the fake.
 */
import type { DeliveryFeedback } from '@sitemsg/core/plugin';
import { FcmDeliveryError } from './errors.js';
import type { FcmAnswer } from './fcm-exchange.js';
import { OAuthTokenError } from './service-account-credential.js';

/** What sitemsg does with a dispatch after an answer. */
export type FcmVerdict =
  /** Not retried; the dispatch fails now. */
  | 'permanent'
  /** Retried with back-off (and after Retry-After when FCM sent one). */
  | 'retryable'
  /** The setup is refused: retryable, the rest of the batch is not tried, health turns unhealthy. */
  | 'configuration';

export interface FcmOutcomeRow {
  /**
   * HTTP status or class; `token` when no access token could be had (Google's OAuth endpoint
   * refused the service account or could not be reached); `network` when FCM did not answer;
   * `local` when firebase-admin refused the message before sending it.
   */
  readonly status: number | '4xx' | '5xx' | 'token' | 'network' | 'local';
  /** FCM's error codes the row is about (FcmError `errorCode`, else canonical `status`). */
  readonly codes?: readonly string[];
  /** The row applies only when the answer names the registration token as the invalid field. */
  readonly namesToken?: boolean;
  readonly verdict: FcmVerdict;
  /** Feedback recorded on the dispatch (and the suppression it implies). */
  readonly feedback?: DeliveryFeedback;
  /** Later sends of the batch would fail the same way: they are not made. */
  readonly stopsBatch: boolean;
  /** What firebase-admin's error code is for this answer. */
  readonly sdkCode: string;
  /** What FCM says it means. */
  readonly meaning: string;
}

export const FCM_OUTCOMES: readonly FcmOutcomeRow[] = [
  {
    status: 404,
    codes: ['UNREGISTERED'],
    verdict: 'permanent',
    feedback: 'address-invalid',
    stopsBatch: false,
    sdkCode: 'messaging/registration-token-not-registered',
    meaning:
      'App instance was unregistered from FCM: the token is no longer valid (app uninstalled, token expired)',
  },
  {
    status: 400,
    codes: ['INVALID_ARGUMENT'],
    namesToken: true,
    verdict: 'permanent',
    feedback: 'address-invalid',
    stopsBatch: false,
    sdkCode: 'messaging/invalid-argument',
    meaning:
      'Invalid registration: the invalid field is message.token (google.rpc.BadRequest), or FCM says "The registration token is not a valid FCM registration token"',
  },
  {
    status: 400,
    codes: ['INVALID_ARGUMENT'],
    verdict: 'permanent',
    stopsBatch: false,
    sdkCode: 'messaging/invalid-argument',
    meaning:
      'Another field is invalid (message too big, reserved data key, bad TTL): the message, not the token',
  },
  {
    status: 403,
    codes: ['SENDER_ID_MISMATCH'],
    verdict: 'permanent',
    feedback: 'address-invalid',
    stopsBatch: false,
    sdkCode: 'messaging/mismatched-credential',
    meaning: 'The token belongs to another sender (Firebase project): it can never be sent to from this one',
  },
  {
    status: 403,
    verdict: 'configuration',
    stopsBatch: true,
    sdkCode: 'messaging/mismatched-credential',
    meaning:
      'PERMISSION_DENIED: the service account may not send messages for this project (role, project id)',
  },
  {
    status: 401,
    codes: ['THIRD_PARTY_AUTH_ERROR'],
    verdict: 'configuration',
    stopsBatch: true,
    sdkCode: 'messaging/third-party-auth-error',
    meaning:
      'The APNs certificate / auth key or the Web Push auth key in the Firebase project is invalid or missing',
  },
  {
    status: 401,
    verdict: 'configuration',
    stopsBatch: true,
    sdkCode: 'messaging/third-party-auth-error',
    meaning: 'UNAUTHENTICATED: FCM refused the access token',
  },
  {
    status: 404,
    verdict: 'configuration',
    stopsBatch: true,
    sdkCode: 'messaging/registration-token-not-registered',
    meaning:
      'NOT_FOUND without UNREGISTERED: no such project or endpoint (a wrong projectId); no token is suppressed for it',
  },
  {
    status: 429,
    verdict: 'retryable',
    stopsBatch: true,
    sdkCode: 'messaging/message-rate-exceeded',
    meaning: 'QUOTA_EXCEEDED (RESOURCE_EXHAUSTED): sending limit exceeded; honours Retry-After',
  },
  {
    status: 503,
    verdict: 'retryable',
    stopsBatch: true,
    sdkCode: 'messaging/server-unavailable',
    meaning: 'UNAVAILABLE: the server is overloaded; honours Retry-After',
  },
  {
    status: 500,
    verdict: 'retryable',
    stopsBatch: false,
    sdkCode: 'messaging/internal-error',
    meaning: 'INTERNAL: an unknown internal error; honours Retry-After',
  },
  {
    status: '5xx',
    verdict: 'retryable',
    stopsBatch: false,
    sdkCode: 'messaging/unknown-error',
    meaning: "Any other server failure (a proxy's 502)",
  },
  {
    status: '4xx',
    verdict: 'permanent',
    stopsBatch: false,
    sdkCode: 'messaging/unknown-error',
    meaning: 'Any other refusal of the request',
  },
  {
    status: 'token',
    verdict: 'configuration',
    stopsBatch: true,
    sdkCode: 'app/invalid-credential',
    meaning:
      "No access token: Google's OAuth endpoint refused the service account (revoked key, invalid_grant) or did not answer",
  },
  {
    status: 'network',
    verdict: 'retryable',
    stopsBatch: true,
    sdkCode: 'app/network-error',
    meaning: 'FCM did not answer: connection refused or reset, DNS failure, timeout',
  },
  {
    status: 'local',
    verdict: 'permanent',
    stopsBatch: false,
    sdkCode: 'messaging/invalid-payload',
    meaning:
      'firebase-admin refused the message before sending it (its own validation: a data value that is not a string, and other messaging/invalid-* codes)',
  },
];

/** An FCM v1 error body, read. */
export interface FcmErrorBody {
  /** FcmError `errorCode`, else the canonical `status` (`NOT_FOUND`), else undefined. */
  readonly code: string | undefined;
  readonly message: string;
  /** The `field`s of google.rpc.BadRequest violations (`message.token`). */
  readonly fields: readonly string[];
}

/** Reads `{ error: { code, message, status, details } }`; a body that is not one gives an empty record. */
export function parseErrorBody(body: string): FcmErrorBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { code: undefined, message: '', fields: [] };
  }
  const error = (parsed as { error?: unknown } | null)?.error;
  if (typeof error !== 'object' || error === null) return { code: undefined, message: '', fields: [] };
  const { status, message, details } = error as { status?: unknown; message?: unknown; details?: unknown };
  let fcmCode: string | undefined;
  const fields: string[] = [];
  for (const detail of Array.isArray(details) ? (details as Record<string, unknown>[]) : []) {
    const type = detail?.['@type'];
    if (
      type === 'type.googleapis.com/google.firebase.fcm.v1.FcmError' &&
      typeof detail.errorCode === 'string'
    ) {
      fcmCode ??= detail.errorCode;
    }
    if (type === 'type.googleapis.com/google.rpc.BadRequest' && Array.isArray(detail.fieldViolations)) {
      for (const violation of detail.fieldViolations as { field?: unknown }[]) {
        if (typeof violation?.field === 'string') fields.push(violation.field);
      }
    }
  }
  return {
    code: fcmCode ?? (typeof status === 'string' ? status : undefined),
    message: typeof message === 'string' ? message : '',
    fields,
  };
}

/** Whether an INVALID_ARGUMENT answer is about the registration token. */
function namesToken(body: FcmErrorBody): boolean {
  return body.fields.includes('message.token') || /registration token/i.test(body.message);
}

/** The row an answer matches (or, with no answer, the kind of failure). */
export function outcomeRow(
  answer: number | 'token' | 'network' | 'local',
  body?: FcmErrorBody,
): FcmOutcomeRow {
  const matches = (row: FcmOutcomeRow): boolean => {
    if (row.codes !== undefined && (body?.code === undefined || !row.codes.includes(body.code))) return false;
    if (row.namesToken && !(body && namesToken(body))) return false;
    if (row.status === answer) return true;
    if (typeof answer !== 'number') return false;
    if (row.status === '5xx') return answer >= 500;
    if (row.status === '4xx') return answer >= 400 && answer < 500;
    return false;
  };
  return FCM_OUTCOMES.find(matches) ?? FCM_OUTCOMES.find((row) => row.status === '4xx')!;
}

export interface ClassifyContext {
  readonly alias: string;
  readonly now: number;
}

/** A failed send as a DeliveryError, and whether the rest of the batch should wait. */
export interface FcmFailure {
  readonly error: FcmDeliveryError;
  readonly stopBatch: boolean;
}

/**
 * Classifies a send that did not succeed: FCM's answer when one came (read off the wire), else
 * what firebase-admin threw (a token failure, a network error, its own validation).
 */
export function classifyFailure(thrown: unknown, answer: FcmAnswer | null, ctx: ClassifyContext): FcmFailure {
  const p = `[${ctx.alias}]`;
  if (answer === null || answer.status < 400) {
    const kind = failureKind(thrown);
    const row = outcomeRow(kind);
    const what = describeThrown(thrown);
    if (row.verdict === 'configuration') {
      return {
        error: new FcmDeliveryError(
          `${p} no FCM access token (${what}). Check the service account key (revoked? deleted?) and that Google's OAuth endpoint is reachable; dispatches are kept and retried.`,
          { retryable: true, configuration: true, providerCode: 'OAUTH_TOKEN' },
        ),
        stopBatch: row.stopsBatch,
      };
    }
    if (row.verdict === 'retryable') {
      return {
        error: new FcmDeliveryError(`${p} could not reach FCM (${what}); will retry.`, { retryable: true }),
        stopBatch: row.stopsBatch,
      };
    }
    return {
      error: new FcmDeliveryError(`${p} firebase-admin refused the message (${what}); not retried.`, {
        retryable: false,
      }),
      stopBatch: false,
    };
  }
  const body = parseErrorBody(answer.body);
  const row = outcomeRow(answer.status, body);
  const said = `${answer.status}${body.code === undefined ? '' : ` ${body.code}`}: ${body.message || 'no details'}`;
  const base = {
    statusCode: answer.status,
    ...(body.code !== undefined && { providerCode: body.code }),
    responseBody: answer.body,
  };
  if (row.verdict === 'configuration') {
    return {
      error: new FcmDeliveryError(
        `${p} FCM refused the configuration (${said}). ${row.meaning}; dispatches are kept and retried.`,
        { ...base, retryable: true, configuration: true },
      ),
      stopBatch: row.stopsBatch,
    };
  }
  if (row.verdict === 'retryable') {
    const retryAfterMs = parseRetryAfter(answer.retryAfter, ctx.now);
    const wait = retryAfterMs === undefined ? '' : ` FCM asked to wait ${Math.ceil(retryAfterMs / 1000)} s.`;
    return {
      error: new FcmDeliveryError(`${p} FCM could not take the message now (${said}); will retry.${wait}`, {
        ...base,
        retryable: true,
        ...(retryAfterMs !== undefined && { retryAfterMs }),
      }),
      stopBatch: row.stopsBatch,
    };
  }
  const fate = row.feedback === 'address-invalid' ? 'the token is dead: suppressed, ' : '';
  return {
    error: new FcmDeliveryError(`${p} FCM refused the message (${said}); ${fate}not retried.`, {
      ...base,
      retryable: false,
      ...(row.feedback !== undefined && { feedback: row.feedback }),
    }),
    stopBatch: false,
  };
}

/** Retry-After in seconds or as an HTTP date, as milliseconds from now. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** With no FCM answer: was it the token, the network, or the SDK's own validation? */
function failureKind(thrown: unknown): 'token' | 'network' | 'local' {
  const code = (thrown as { code?: unknown } | null)?.code;
  if (code === 'app/invalid-credential' || thrown instanceof OAuthTokenError) return 'token';
  if (typeof code === 'string' && code.startsWith('messaging/')) return 'local';
  return 'network';
}

/** The SDK's code and message, which name no secret (token failures carry OAuthTokenError's words). */
function describeThrown(thrown: unknown): string {
  if (!(thrown instanceof Error)) return String(thrown).slice(0, 200);
  const code = (thrown as { code?: unknown }).code;
  return `${typeof code === 'string' ? `${code}: ` : ''}${thrown.message}`.slice(0, 400);
}
