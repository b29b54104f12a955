/** TwilioMessenger's options, validated once at construction: a wrong setup fails at start-up. */
import {
  type Clock,
  ConfigurationError,
  type Logger,
  type MessengerOptions,
  systemClock,
} from '@sitemsg/core/plugin';
import type { CountryCode } from 'libphonenumber-js';
import { isRegion, parsePhoneAddress, WHATSAPP_PREFIX } from './address.js';

export interface TwilioMessengerOptions extends MessengerOptions {
  /** The account SID (`AC` + 32 hex digits), Console > Account info. */
  readonly accountSid: string;
  /** The account's auth token. Never logged, never in an error message. */
  readonly authToken: string;
  /**
   * The sender: a Twilio number in E.164 (`+14155552671`), a short code or an alphanumeric sender
   * id. Give `from` or `messagingServiceSid`, not both.
   */
  readonly from?: string;
  /** A Messaging Service (`MG...`) that picks the sender (and handles Advanced Opt-Out). */
  readonly messagingServiceSid?: string;
  /** The WhatsApp sender for `whatsapp:` addresses. Default: `whatsapp:` + `from` when `from` is a number. */
  readonly whatsappFrom?: string;
  /**
   * The public URL of this package's webhook handler (`https://shop.example/sitemsg/webhooks/twilio`:
   * the application's siteUrl + express-views' route), sent as each message's `StatusCallback`.
   * Without it Twilio reports no delivery status for the messages sitemsg sends.
   */
  readonly statusCallbackUrl?: string;
  /** Region (ISO 3166 alpha-2, e.g. `GB`) that national-format numbers are read in. Default: none (E.164 only). */
  readonly defaultRegion?: CountryCode;
  /** The user field holding the phone number. Default `phone`. */
  readonly phoneField?: string;
  /** Most SMS segments one message may take (what it costs). Default 10; a longer text fails permanently. */
  readonly maxSegments?: number;
  /** API origin. Default `https://api.twilio.com`; a local fake in tests. */
  readonly baseUrl?: string;
  /** Timeout of each HTTP request in milliseconds. Default 30 000. */
  readonly timeoutMs?: number;
  /** Requests of one batch in flight at once (the Messages API takes one recipient per request). Default 8. */
  readonly concurrency?: number;
  /** How long a health check's answer is reused, in milliseconds. Default 60 000; 0 asks Twilio every time. */
  readonly healthCacheMs?: number;
  /** Where configuration failures (refused credentials) are reported. Default: `console`. */
  readonly logger?: Logger;
  /** Reads "now" for Retry-After dates and the health cache. Default: the system clock. */
  readonly clock?: Clock;
}

export interface ResolvedTwilioOptions {
  readonly accountSid: string;
  readonly authToken: string;
  readonly from: string | null;
  readonly messagingServiceSid: string | null;
  readonly whatsappFrom: string | null;
  readonly statusCallbackUrl: string | null;
  readonly defaultRegion: CountryCode | undefined;
  readonly phoneField: string;
  readonly maxSegments: number;
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly concurrency: number;
  readonly healthCacheMs: number;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly messenger: MessengerOptions;
}

export const DEFAULT_BASE_URL = 'https://api.twilio.com';
export const DEFAULT_MAX_SEGMENTS = 10;

const KNOWN = new Set([
  'accountSid',
  'authToken',
  'from',
  'messagingServiceSid',
  'whatsappFrom',
  'statusCallbackUrl',
  'defaultRegion',
  'phoneField',
  'maxSegments',
  'baseUrl',
  'timeoutMs',
  'concurrency',
  'healthCacheMs',
  'logger',
  'clock',
  'alias',
  'title',
  'primary',
]);

const WEBHOOK = 'it belongs to the webhook handler (createTwilioWebhookHandler)';
/** Options that get passed here by mistake, and where each belongs. */
const MISPLACED: Readonly<Record<string, string>> = {
  sitemsg: WEBHOOK,
  onInbound: WEBHOOK,
  apiKey: 'Twilio authenticates with accountSid and authToken',
  apiSecret: 'Twilio authenticates with accountSid and authToken',
  token: 'did you mean authToken?',
  sid: 'did you mean accountSid?',
  statusCallback: 'did you mean statusCallbackUrl?',
  region: 'did you mean defaultRegion? (Twilio edges are not configurable here: set baseUrl)',
  timeout: 'did you mean timeoutMs? (milliseconds)',
  baseURL: 'did you mean baseUrl?',
};

/** Validates every option; messages never quote the auth token. */
export function resolveOptions(options: TwilioMessengerOptions): ResolvedTwilioOptions {
  const fail = (what: string): never => {
    throw new ConfigurationError(`[twilio] ${what}`);
  };
  if (typeof options !== 'object' || options === null) fail('options must be an object.');
  for (const key of Object.keys(options)) {
    if (KNOWN.has(key)) continue;
    const home = MISPLACED[key];
    fail(`unknown option "${key}"${home ? ` (${home})` : ''} (known: ${[...KNOWN].join(', ')}).`);
  }
  const { accountSid, authToken } = options;
  if (typeof accountSid !== 'string' || !/^AC[0-9a-fA-F]{32}$/.test(accountSid)) {
    fail('accountSid must be a Twilio account SID: "AC" followed by 32 hex digits (Console > Account info).');
  }
  if (typeof authToken !== 'string' || authToken.length < 16 || /\s/.test(authToken)) {
    fail("authToken must be the account's auth token (Console > Account info), without spaces.");
  }
  const from = options.from ?? null;
  const service = options.messagingServiceSid ?? null;
  if (from !== null && service !== null) fail('give from or messagingServiceSid, not both.');
  if (from === null && service === null) {
    fail('from (a Twilio number, short code or sender id) or messagingServiceSid is required.');
  }
  if (from !== null && !isSender(from)) {
    fail(
      'from must be an E.164 number ("+14155552671"), a short code or an alphanumeric sender id (up to 11 characters).',
    );
  }
  if (service !== null && (typeof service !== 'string' || !/^MG[0-9a-fA-F]{32}$/.test(service))) {
    fail('messagingServiceSid must be "MG" followed by 32 hex digits.');
  }
  const whatsappFrom = options.whatsappFrom ?? whatsappSender(from);
  if (whatsappFrom !== null && parsePhoneAddress(whatsappFrom)?.channel !== 'whatsapp') {
    fail('whatsappFrom must be a WhatsApp sender: "whatsapp:+14155552671".');
  }
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
  const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/\s]+$/.test(baseUrl)) {
    fail(`baseUrl must be an origin like "https://api.twilio.com" (got "${baseUrl}").`);
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
    accountSid,
    authToken,
    from,
    messagingServiceSid: service,
    whatsappFrom,
    statusCallbackUrl,
    defaultRegion: options.defaultRegion,
    phoneField,
    maxSegments,
    baseUrl,
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

/** An E.164 number, a short code (3-8 digits) or an alphanumeric sender id (1-11 characters, a letter among them). */
function isSender(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  if (parsePhoneAddress(value)?.channel === 'sms') return true;
  if (/^\d{3,8}$/.test(value)) return true;
  return /^[A-Za-z0-9 ]{1,11}$/.test(value) && /[A-Za-z]/.test(value);
}

function whatsappSender(from: string | null): string | null {
  const parsed = from === null ? undefined : parsePhoneAddress(from);
  return parsed?.channel === 'sms' ? `${WHATSAPP_PREFIX}${parsed.e164}` : null;
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
