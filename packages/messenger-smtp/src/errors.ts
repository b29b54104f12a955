import { DeliveryError } from '@sitemsg/core/plugin';

/** The fields nodemailer puts on the errors it hands back (see nodemailer's NodemailerError). */
interface SmtpFailure {
  readonly message?: string;
  readonly code?: string;
  readonly responseCode?: number;
  readonly response?: string;
  readonly command?: string;
  readonly rejectedErrors?: readonly SmtpFailure[];
}

/** Errors about the message itself: sending it again cannot help. */
const BROKEN_MESSAGE = new Set(['EFILEACCESS', 'EURLACCESS', 'EFETCH', 'ESTREAM', 'EMAXRECIPIENTS', 'EOTP']);
/** Errors about the session, not the recipient: the connection is suspect and must be verified again. */
const SESSION = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ETLS',
  'EAUTH',
  'ENOAUTH',
  'EOAUTH2',
  'EPROXY',
  'EPROTOCOL',
]);

function asFailure(error: unknown): SmtpFailure {
  return typeof error === 'object' && error !== null ? (error as SmtpFailure) : { message: String(error) };
}

/** The reply that concerns the recipient: for a refused RCPT TO nodemailer nests it in rejectedErrors. */
function innermost(error: SmtpFailure): SmtpFailure {
  const nested = error.rejectedErrors?.[0];
  return nested?.responseCode === undefined ? error : nested;
}

/**
 * Whether a failure says the connection or the login broke (rather than the recipient or the
 * message being refused): the messenger then verifies the server again before the next batch.
 */
export function isSessionFailure(error: unknown): boolean {
  const failure = asFailure(error);
  if (failure.responseCode === 421) return true;
  return failure.code === undefined || SESSION.has(failure.code) || failure.code.startsWith('ECONN');
}

/**
 * SMTP replies to outcomes: 4xx retry, 5xx (but 503, a bad command sequence) are permanent for
 * that recipient, authentication failures and broken connections retry (infrastructure, not
 * the recipient), a message that cannot be built is permanent.
 */
export function toDeliveryError(alias: string, address: string, error: unknown): DeliveryError {
  const failure = innermost(asFailure(error));
  const reply = failure.responseCode;
  const code = asFailure(error).code;
  const response = (failure.response ?? failure.message ?? '').replace(/\s+/g, ' ').trim();
  const enhanced = /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(response)?.[1];
  let retryable: boolean;
  let what: string;
  if (code === 'EAUTH' || code === 'ENOAUTH' || code === 'EOAUTH2') {
    retryable = true;
    what = 'the SMTP server refused the login; check auth';
  } else if (reply !== undefined && reply >= 400 && reply < 600) {
    retryable = reply < 500 || reply === 503;
    what = `the SMTP server answered ${reply} to ${failure.command ?? 'the message'} for ${address}`;
  } else if (code !== undefined && BROKEN_MESSAGE.has(code)) {
    retryable = false;
    what = `the message for ${address} could not be built (${code})`;
  } else {
    retryable = true;
    what = `the connection to the SMTP server failed while sending to ${address} (${code ?? 'no code'})`;
  }
  const next = retryable ? 'it will be retried' : 'it will not be retried';
  return new DeliveryError(`[sitemsg] [${alias}] ${what}: ${response.slice(0, 300)}; ${next}.`, {
    cause: error,
    retryable,
    ...(reply !== undefined && { statusCode: reply }),
    ...((enhanced ?? code) !== undefined && { providerCode: enhanced ?? code }),
    ...(response !== '' && { responseBody: response }),
  });
}
