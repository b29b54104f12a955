/**
 * The options every SMS messenger has, validated in one place: where a user's number is, how
 * national numbers are read, how long a message may be, the status callback, timeouts and the
 * health cache. A messenger adds its provider's own (credentials, sender, API origin).
 */
import {
  type Clock,
  ConfigurationError,
  checkOptionNames,
  type Logger,
  type MessengerOptions,
  systemClock,
} from '@sitemsg/core/plugin';
import { type CountryCode, isRegion } from './phone-number.js';

export interface SmsMessengerOptions extends MessengerOptions {
  /**
   * The public URL of the package's webhook handler, sent with each message as its status callback.
   * Default: the engine's `webhookUrl(<provider>)` — the application's `siteUrl` + express-views'
   * `/webhooks/<provider>` route under `linkBasePath` — when a `siteUrl` is configured. `false`
   * sends none (the provider's console setting applies).
   */
  readonly statusCallbackUrl?: string | false;
  /** Region (ISO 3166 alpha-2, e.g. `GB`) that national-format numbers are read in. Default: none (E.164 only). */
  readonly defaultRegion?: CountryCode;
  /** The user field holding the phone number. Default `phone`. */
  readonly phoneField?: string;
  /** Most SMS segments one message may take (what it costs). Default 10; a longer text fails permanently. */
  readonly maxSegments?: number;
  /** Timeout of each HTTP request in milliseconds. Default 30 000. */
  readonly timeoutMs?: number;
  /** Requests of one batch in flight at once (one recipient per request). Default 8. */
  readonly concurrency?: number;
  /** How long a health check's answer is reused, in milliseconds. Default 60 000; 0 asks every time. */
  readonly healthCacheMs?: number;
  /** Where configuration failures (refused credentials) are reported. Default: `console`. */
  readonly logger?: Logger;
  /** Reads "now" for Retry-After dates and the health cache. Default: the system clock. */
  readonly clock?: Clock;
}

export interface ResolvedSmsOptions {
  /** The explicit URL, `false` for none, or null for the engine's default. */
  readonly statusCallbackUrl: string | false | null;
  readonly defaultRegion: CountryCode | undefined;
  readonly phoneField: string;
  readonly maxSegments: number;
  readonly timeoutMs: number;
  readonly concurrency: number;
  readonly healthCacheMs: number;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly messenger: MessengerOptions;
}

export const DEFAULT_MAX_SEGMENTS = 10;

/** The option names of `SmsMessengerOptions` (a messenger adds its own to check for unknown ones). */
export const SMS_OPTION_KEYS: readonly string[] = [
  'statusCallbackUrl',
  'defaultRegion',
  'phoneField',
  'maxSegments',
  'timeoutMs',
  'concurrency',
  'healthCacheMs',
  'logger',
  'clock',
  'alias',
  'title',
  'primary',
];

/** What a messenger tells `resolveSmsOptions` about itself. */
export interface SmsOptionRules {
  /** Its name in messages (`twilio`). */
  readonly provider: string;
  /** Its own option names, beside `SMS_OPTION_KEYS`. */
  readonly known: readonly string[];
  /** Options passed here by mistake, and where each belongs. */
  readonly misplaced: Readonly<Record<string, string>>;
}

/**
 * Checks that every option is known (naming where a misplaced one belongs) and validates the
 * shared ones. Messages never quote an option's value that could be a secret.
 */
export function resolveSmsOptions(options: SmsMessengerOptions, rules: SmsOptionRules): ResolvedSmsOptions {
  const fail = smsOptionFailure(rules.provider);
  if (typeof options !== 'object' || options === null) fail('options must be an object.');
  checkOptionNames(options, {
    prefix: rules.provider,
    known: [...rules.known, ...SMS_OPTION_KEYS],
    hints: rules.misplaced,
  });
  const statusCallbackUrl = options.statusCallbackUrl ?? null;
  if (statusCallbackUrl !== null && statusCallbackUrl !== false && !isHttpUrl(statusCallbackUrl)) {
    fail(
      'statusCallbackUrl must be an absolute http(s) URL (the public address of the webhook handler), or false for none.',
    );
  }
  if (options.defaultRegion !== undefined && !isRegion(options.defaultRegion)) {
    fail(
      `defaultRegion must be an ISO 3166 country code that libphonenumber-js knows, like "GB" (got ${JSON.stringify(options.defaultRegion)}).`,
    );
  }
  const phoneField = options.phoneField ?? 'phone';
  if (typeof phoneField !== 'string' || phoneField === '')
    fail('phoneField must be the name of a user field.');
  const maxSegments = integer(options.maxSegments, DEFAULT_MAX_SEGMENTS, 1, 100, 'maxSegments', fail);
  const timeoutMs = integer(options.timeoutMs, 30_000, 1, Number.MAX_SAFE_INTEGER, 'timeoutMs', fail);
  const concurrency = integer(options.concurrency, 8, 1, 64, 'concurrency', fail);
  const healthCacheMs = integer(
    options.healthCacheMs,
    60_000,
    0,
    Number.MAX_SAFE_INTEGER,
    'healthCacheMs',
    fail,
  );
  return {
    statusCallbackUrl,
    defaultRegion: options.defaultRegion,
    phoneField,
    maxSegments,
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

/** A function that throws the provider's ConfigurationError: `[twilio] <what>`. */
export function smsOptionFailure(provider: string): (what: string) => never {
  return (what) => {
    throw new ConfigurationError(`[${provider}] ${what}`);
  };
}

/** Whether a value is an absolute http(s) URL. */
export function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

function integer(
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
  name: string,
  fail: (what: string) => never,
): number {
  const n = value ?? fallback;
  if (Number.isInteger(n) && n >= min && n <= max) return n;
  return fail(
    max === Number.MAX_SAFE_INTEGER
      ? `${name} must be ${min === 0 ? '0 or more' : 'a positive integer of'} milliseconds.`
      : `${name} must be an integer from ${min} to ${max}.`,
  );
}
