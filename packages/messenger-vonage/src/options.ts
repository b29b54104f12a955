/** VonageMessenger's options, validated once at construction: a wrong setup fails at start-up. */
import {
  parsePhoneNumber,
  type ResolvedSmsOptions,
  resolveSmsOptions,
  type SmsMessengerOptions,
  smsOptionFailure,
} from '@sitemsg/sms-kit';

export interface VonageMessengerOptions extends SmsMessengerOptions {
  /** The API key (Dashboard > API Settings). */
  readonly apiKey: string;
  /** The API secret. Never logged, never in an error message. */
  readonly apiSecret: string;
  /** The sender: a Vonage number in E.164, or an alphanumeric sender id (up to 11 characters). */
  readonly from: string;
  /** How long to wait after Vonage answered status 1 (throttled), in milliseconds. Default 1 000. */
  readonly throttleRetryMs?: number;
  /** SMS API origin (the SDK's `restHost`). Default `https://rest.nexmo.com`; a local fake in tests. */
  readonly restHost?: string;
}

export interface ResolvedVonageOptions {
  readonly apiKey: string;
  readonly apiSecret: string;
  /** As the SMS API takes it: a number without `+`, or the sender id. */
  readonly from: string;
  readonly throttleRetryMs: number;
  readonly restHost: string;
  readonly sms: ResolvedSmsOptions;
}

export const DEFAULT_REST_HOST = 'https://rest.nexmo.com';

const WEBHOOK = 'it belongs to the webhook handler (createVonageWebhookHandler)';
const RULES = {
  provider: 'vonage',
  known: ['apiKey', 'apiSecret', 'from', 'throttleRetryMs', 'restHost'],
  misplaced: {
    signatureSecret: WEBHOOK,
    signatureMethod: WEBHOOK,
    sitemsg: WEBHOOK,
    onInbound: WEBHOOK,
    api_key: 'did you mean apiKey?',
    api_secret: 'did you mean apiSecret?',
    callback: 'did you mean statusCallbackUrl?',
    baseUrl: 'the SMS API origin is restHost',
    apiHost: 'the SMS API is on restHost',
    timeout: 'did you mean timeoutMs? (milliseconds)',
  },
};

/** Validates every option; messages never quote the secret. */
export function resolveOptions(options: VonageMessengerOptions): ResolvedVonageOptions {
  const sms = resolveSmsOptions(options, RULES);
  const fail = smsOptionFailure('vonage');
  const { apiKey, apiSecret, from } = options;
  if (typeof apiKey !== 'string' || !/^[A-Za-z0-9]{6,32}$/.test(apiKey)) {
    fail('apiKey must be the Vonage API key (letters and digits, Dashboard > API Settings).');
  }
  if (typeof apiSecret !== 'string' || apiSecret.length < 8 || /\s/.test(apiSecret)) {
    fail('apiSecret must be the API secret of that key (Dashboard > API Settings), without spaces.');
  }
  const number = typeof from === 'string' ? parsePhoneNumber(from) : undefined;
  const sender =
    number !== undefined
      ? number.slice(1)
      : typeof from === 'string' && /^[A-Za-z0-9 ]{1,11}$/.test(from) && /[A-Za-z]/.test(from)
        ? from
        : fail(
            'from must be a Vonage number in E.164 ("+447911123456") or an alphanumeric sender id of up to 11 characters.',
          );
  const throttleRetryMs = options.throttleRetryMs ?? 1000;
  if (!Number.isInteger(throttleRetryMs) || throttleRetryMs < 0) {
    fail('throttleRetryMs must be 0 or more milliseconds.');
  }
  const restHost = (options.restHost ?? DEFAULT_REST_HOST).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/\s]+$/.test(restHost)) {
    fail(`restHost must be an origin like "https://rest.nexmo.com" (got "${restHost}").`);
  }
  return { apiKey, apiSecret, from: sender, throttleRetryMs, restHost, sms };
}
