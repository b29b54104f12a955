/**
 * What each APNs answer means for a dispatch, as data: one row per answer, first match wins.
 * Statuses and reasons are Apple's ("Handling notification responses from APNs"); the README
 * prints this table and test/outcome.test.ts sends each row's answer through the local server.
 */
import type { DeliveryFeedback } from '@sitemsg/core/plugin';
import { ApnsDeliveryError } from './errors.js';

/** What sitemsg does with a dispatch after an answer. */
export type ApnsVerdict =
  /** Not retried; the dispatch fails now. */
  | 'permanent'
  /** Retried with back-off. */
  | 'retryable'
  /** Credentials or topic refused: retryable, the rest of the batch is not tried, health turns unhealthy. */
  | 'configuration';

export interface ApnsOutcomeRow {
  /** HTTP status, a class of statuses, or `network` (no answer: refused, reset, dropped, timed out). */
  readonly status: number | '4xx' | '5xx' | 'network';
  /** APNs's `reason`, when the row is about one reason. */
  readonly reason?: string;
  readonly verdict: ApnsVerdict;
  /** Feedback recorded on the dispatch (and the suppression it implies). */
  readonly feedback?: DeliveryFeedback;
  /** Later requests of the batch would fail the same way: they are not made. */
  readonly stopsBatch: boolean;
  /** What Apple says it means. */
  readonly meaning: string;
}

const deadToken = (status: number, reason: string, meaning: string): ApnsOutcomeRow => ({
  status,
  reason,
  verdict: 'permanent',
  feedback: 'address-invalid',
  stopsBatch: false,
  meaning,
});

const refused = (status: number, reason: string, meaning: string): ApnsOutcomeRow => ({
  status,
  reason,
  verdict: 'configuration',
  stopsBatch: true,
  meaning,
});

export const APNS_OUTCOMES: readonly ApnsOutcomeRow[] = [
  deadToken(
    400,
    'BadDeviceToken',
    'The device token is not valid (or belongs to the other environment: sandbox vs production)',
  ),
  deadToken(400, 'DeviceTokenNotForTopic', 'The device token does not match the topic (another app)'),
  deadToken(
    410,
    'Unregistered',
    'The token is no longer active for the topic (app removed, notifications off); `timestamp` says since when',
  ),
  deadToken(410, 'ExpiredToken', 'The device token has expired'),
  refused(400, 'BadTopic', 'The apns-topic is not valid'),
  refused(400, 'MissingTopic', 'The apns-topic header is missing and required'),
  refused(400, 'TopicDisallowed', 'Pushing to this topic is not allowed'),
  {
    status: 400,
    reason: 'IdleTimeout',
    verdict: 'retryable',
    stopsBatch: false,
    meaning: 'The connection was idle too long: sent again on a new one',
  },
  {
    status: 400,
    verdict: 'permanent',
    stopsBatch: false,
    meaning:
      'Any other bad request (BadCollapseId, BadExpirationDate, BadMessageId, BadPriority, DuplicateHeaders, InvalidPushType, PayloadEmpty...): this notification is wrong, the token is fine',
  },
  refused(
    403,
    'ExpiredProviderToken',
    'The provider token is older than an hour (a new one is signed for the retry)',
  ),
  refused(403, 'InvalidProviderToken', 'The provider token is not valid, or its signature does not verify'),
  {
    status: 403,
    verdict: 'configuration',
    stopsBatch: true,
    meaning:
      'Any other authentication refusal (MissingProviderToken, UnrelatedKeyIdInToken, BadEnvironmentKeyIdInToken, Forbidden...)',
  },
  refused(404, 'BadPath', 'No device endpoint at this path: address and port do not name APNs'),
  refused(405, 'MethodNotAllowed', 'Only POST is supported: address and port do not name APNs'),
  {
    status: 413,
    reason: 'PayloadTooLarge',
    verdict: 'permanent',
    stopsBatch: false,
    meaning: 'The payload is over 4 KB (5 KB for VoIP); checked before sending, so rare',
  },
  {
    status: 429,
    reason: 'TooManyRequests',
    verdict: 'retryable',
    stopsBatch: false,
    meaning: 'Too many requests to this one device token in a short time',
  },
  {
    status: 429,
    reason: 'TooManyProviderTokenUpdates',
    verdict: 'retryable',
    stopsBatch: true,
    meaning: 'The provider token was changed too often',
  },
  { status: 429, verdict: 'retryable', stopsBatch: true, meaning: 'Any other rate limit' },
  {
    status: '5xx',
    verdict: 'retryable',
    stopsBatch: true,
    meaning: 'InternalServerError (500), ServiceUnavailable or Shutdown (503): APNs cannot take pushes now',
  },
  { status: '4xx', verdict: 'permanent', stopsBatch: false, meaning: 'Any other refusal of the request' },
  {
    status: 'network',
    verdict: 'retryable',
    stopsBatch: true,
    meaning: 'No answer: connection refused, TLS failure, the connection dropped mid-request, timeout',
  },
];

/** The row an answer matches. */
export function outcomeRow(status: number | 'network', reason: string | undefined): ApnsOutcomeRow {
  const matches = (row: ApnsOutcomeRow): boolean => {
    if (row.reason !== undefined && row.reason !== reason) return false;
    if (row.status === status) return true;
    if (typeof status !== 'number') return false;
    if (row.status === '5xx') return status >= 500;
    if (row.status === '4xx') return status >= 400 && status < 500;
    return false;
  };
  return APNS_OUTCOMES.find(matches) ?? APNS_OUTCOMES.at(-1)!;
}

/** An APNs answer other than 200, as node-apn reports it. */
export interface ApnsAnswer {
  /** The HTTP status, or `network` when there was no answer. */
  readonly status: number | 'network';
  readonly reason: string | undefined;
  /** For `Unregistered`: milliseconds since the epoch. */
  readonly timestamp: number | undefined;
  /** What went wrong when there was no answer (node-apn's words). */
  readonly detail: string | undefined;
}

/**
 * Reads one entry of node-apn's `failed` list: `{ status, response: { reason, timestamp } }` for
 * an answer, `{ status: 403, error }` for `ExpiredProviderToken` and `{ status: 500, error }` for
 * `InternalServerError` (whose reasons node-apn moves into the error), `{ error }` when no answer came.
 */
export function readFailure(failure: unknown): ApnsAnswer {
  const f = (typeof failure === 'object' && failure !== null ? failure : {}) as Record<string, unknown>;
  const response = (typeof f.response === 'object' && f.response !== null ? f.response : {}) as Record<
    string,
    unknown
  >;
  const errorMessage = f.error instanceof Error ? f.error.message : undefined;
  if (typeof f.status !== 'number') {
    return {
      status: 'network',
      reason: undefined,
      timestamp: undefined,
      detail: errorMessage ?? 'no answer',
    };
  }
  let reason = typeof response.reason === 'string' ? response.reason : undefined;
  if (reason === undefined && f.status === 403 && errorMessage === 'ExpiredProviderToken')
    reason = errorMessage;
  if (reason === undefined && f.status === 500) reason = 'InternalServerError';
  const stamp = Number(response.timestamp);
  return {
    status: f.status,
    reason,
    timestamp: response.timestamp !== undefined && Number.isFinite(stamp) ? stamp : undefined,
    detail: undefined,
  };
}

/** A failed push as a DeliveryError, and whether the rest of the batch should wait. */
export interface ApnsFailure {
  readonly error: ApnsDeliveryError;
  readonly stopBatch: boolean;
}

/** Classifies an answer by the table. `alias` names the messenger in the message. */
export function classifyAnswer(answer: ApnsAnswer, alias: string): ApnsFailure {
  const p = `[${alias}]`;
  const row = outcomeRow(answer.status, answer.reason);
  if (answer.status === 'network') {
    return {
      error: new ApnsDeliveryError(
        `${p} could not reach APNs (${answer.detail ?? 'no answer'}); will retry.`,
        {
          retryable: true,
        },
      ),
      stopBatch: row.stopsBatch,
    };
  }
  const said = `${answer.status} ${answer.reason ?? 'no reason'}`;
  const base = {
    statusCode: answer.status,
    ...(answer.reason !== undefined && { providerCode: answer.reason }),
    responseBody: JSON.stringify({
      ...(answer.reason !== undefined && { reason: answer.reason }),
      ...(answer.timestamp !== undefined && { timestamp: answer.timestamp }),
    }),
  };
  if (row.verdict === 'configuration') {
    return {
      error: new ApnsDeliveryError(
        `${p} APNs refused the configuration (${said}). Check key, keyId, teamId, topic and environment; dispatches are kept and retried.`,
        { ...base, retryable: true, configuration: true },
      ),
      stopBatch: row.stopsBatch,
    };
  }
  if (row.verdict === 'retryable') {
    return {
      error: new ApnsDeliveryError(`${p} APNs could not take the push now (${said}); will retry.`, {
        ...base,
        retryable: true,
      }),
      stopBatch: row.stopsBatch,
    };
  }
  const unregisteredAt = answer.timestamp === undefined ? undefined : new Date(answer.timestamp);
  const since = unregisteredAt === undefined ? '' : ` (inactive since ${unregisteredAt.toISOString()})`;
  const what = row.feedback === 'address-invalid' ? 'the device token is dead' : 'APNs refused the push';
  return {
    error: new ApnsDeliveryError(`${p} ${what} (${said})${since}; not retried.`, {
      ...base,
      retryable: false,
      ...(row.feedback !== undefined && { feedback: row.feedback }),
      ...(unregisteredAt !== undefined && { unregisteredAt }),
    }),
    stopBatch: false,
  };
}
