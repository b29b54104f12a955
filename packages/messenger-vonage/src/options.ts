/** VonageMessenger's options, validated once at construction: a wrong setup fails at start-up. */
import {
  type Clock,
  ConfigurationError,
  type Logger,
  type MessengerOptions,
  systemClock,
} from '@sitemsg/core/plugin';
import type { CountryCode } from 'libphonenumber-js';
import { isRegion, parsePhoneNumber } from './address.js';

export interface VonageMessengerOptions extends MessengerOptions {
  /** The API key (Dashboard > API Settings). */
  readonly apiKey: string;
  /** The API secret. Never logged, never in an error message. */
  readonly apiSecret: string;
  /** The sender: a Vonage number in E.164, or an alphanumeric sender id (up to 11 characters). */
  readonly from: string;
  /**
   * The public URL of this package's webhook handler, sent as each message's `callback` (it
   * overrides the Dashboard's delivery-receipt URL): `https://shop.example/sitemsg/webhooks/vonage`.
   */
  readonly statusCallbackUrl?: string;
  /** Region (ISO 3166 alpha-2, e.g. `GB`) that national-format numbers are read in. Default: none (E.164 only). */
  readonly defaultRegion?: CountryCode;
  /** The user field holding the phone number. Default `phone`. */
  readonly phoneField?: string;
  /** Most SMS segments one message may take (what it costs). Default 10; a longer text fails permanently. */
  readonly maxSegments?: number;
  /** How long to wait after Vonage answered status 1 (throttled), in milliseconds. Default 1 000. */
  readonly throttleRetryMs?: number;
  /** SMS API origin (the SDK's `restHost`). Default `https://rest.nexmo.com`; a local fake in tests. */
  readonly restHost?: string;
  /** Timeout of each HTTP request in milliseconds. Default 30 000. */
  readonly timeoutMs?: number;
  /** Requests of one batch in flight at once (one recipient per request). Default 8. */
  readonly concurrency?: number;
  /** How long a health check's answer is reused, in milliseconds. Default 60 000; 0 asks Vonage every time. */
  readonly healthCacheMs?: number;
  /** Where configuration failures (refused credentials) are reported. Default: `console`. */
  readonly logger?: Logger;
  /** Reads "now" for Retry-After dates and the health cache. Default: the system clock. */
  readonly clock?: Clock;
}

export interface ResolvedVonageOptions {
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly from: string;
  readonly statusCallbackUrl: string | null;
  readonly defaultRegion: CountryCode | undefined;
  readonly phoneField: string;
  readonly maxSegments: number;
  readonly throttleRetryMs: number;
  readonly restHost: string;
  readonly timeoutMs: number;
  readonly concurrency: number;
  readonly healthCacheMs: number;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly messenger: MessengerOptions;
}

export const DEFAULT_REST_HOST = 'https://rest.nexmo.com';
export const DEFAULT_MAX_SEGMENTS = 10;

const KNOWN = new Set([
  'apiKey',
  'apiSecret',
  'from',
  'statusCallbackUrl',
  'defaultRegion',
  'phoneField',
  'maxSegments',
  'throttleRetryMs',
  'restHost',
  'timeoutMs',
  'concurrency',
  'healthCacheMs',
  'logger',
  'clock',
  'alias',
  'title',
  'primary',
]);

const WEBHOOK = 'it belongs to the webhook handler (createVonageWebhookHandler)';
const MISPLACED: Readonly<Record<string, string>> = {
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
};

/** Validates every option; messages never quote the secret. */
export function resolveOptions(options: VonageMessengerOptions): ResolvedVonageOptions {
  const fail = (what: string): never => {
    throw new ConfigurationError(`[vonage] ${what}`);
  };
  if (typeof options !== 'object' || options === null) fail('options must be an object.');
  for (const key of Object.keys(options)) {
    if (KNOWN.has(key)) continue;
    const home = MISPLACED[key];
    fail(`unknown option "${key}"${home ? ` (${home})` : ''} (known: ${[...KNOWN].join(', ')}).`);
  }
  const { apiKey, apiSecret, from } = options;
  if (typeof apiKey !== 'string' || !/^[A-Za-z0-9]{6,32}$/.test(apiKey)) {
    fail('apiKey must be the Vonage API key (letters and digits, Dashboard > API Settings).');
  }
  if (typeof apiSecret !== 'string' || apiSecret.length < 8 || /\s/.test(apiSecret)) {
    fail('apiSecret must be the API secret of that key (Dashboard > API Settings), without spaces.');
  }
  const sender =
    typeof from === 'string' && parsePhoneNumber(from) !== undefined
      ? parsePhoneNumber(from)!.slice(1)
      : typeof from === 'string' && /^[A-Za-z0-9 ]{1,11}$/.test(from) && /[A-Za-z]/.test(from)
        ? from
        : fail(
            'from must be a Vonage number in E.164 ("+447911123456") or an alphanumeric sender id of up to 11 characters.',
          );
  const statusCallbackUrl = options.statusCallbackUrl ?? null;
  if (statusCallbackUrl !== null && !isHttpUrl(statusCallbackUrl)) {
    fail('statusCallbackUrl must be an absolute http(s) URL: the public address of the webhook handler.');
  }
  if (options.defaultRegion !== undefined && !isRegion(options.defaultRegion)) {
    fail(
      `defaultRegion must be an ISO 3166 country code that libphonenumber-js knows, like "GB" (got ${JSON.stringify(options.defaultRegion)}).`,
    );
  }
  const phoneField = options.phoneField ?? 'phone';
  if (typeof phoneField !== 'string' || phoneField === '')
    fail('phoneField must be the name of a user field.');
  const maxSegments = options.maxSegments ?? DEFAULT_MAX_SEGMENTS;
  if (!Number.isInteger(maxSegments) || maxSegments < 1 || maxSegments > 100) {
    fail('maxSegments must be an integer from 1 to 100.');
  }
  const throttleRetryMs = options.throttleRetryMs ?? 1000;
  if (!Number.isInteger(throttleRetryMs) || throttleRetryMs < 0)
    fail('throttleRetryMs must be 0 or more milliseconds.');
  const restHost = (options.restHost ?? DEFAULT_REST_HOST).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/\s]+$/.test(restHost)) {
    fail(`restHost must be an origin like "https://rest.nexmo.com" (got "${restHost}").`);
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) fail('timeoutMs must be a positive integer.');
  const concurrency = options.concurrency ?? 8;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    fail('concurrency must be an integer from 1 to 64.');
  }
  const healthCacheMs = options.healthCacheMs ?? 60_000;
  if (!Number.isInteger(healthCacheMs) || healthCacheMs < 0)
    fail('healthCacheMs must be 0 or more milliseconds.');
  return {
    apiKey,
    apiSecret,
    from: sender,
    statusCallbackUrl,
    defaultRegion: options.defaultRegion,
    phoneField,
    maxSegments,
    throttleRetryMs,
    restHost,
    timeoutMs,
    concurrency,
    healthCacheMs,
    logger: options.logger ?? console,
    clock: options.clock ?? systemClock,
    messenger: {
      ...(options.alias !== undefined && { alias: options.alias }),
      ...(options.title !== undefined && { title: options.title }),
      ...(options.primary !== undefined && { primary: options.primary }),
    },
  };
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
