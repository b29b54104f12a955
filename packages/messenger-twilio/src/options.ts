/** TwilioMessenger's options, validated once at construction: a wrong setup fails at start-up. */
import {
  type ResolvedSmsOptions,
  resolveSmsOptions,
  type SmsMessengerOptions,
  smsOptionFailure,
} from '@sitemsg/sms-kit';
import { parsePhoneAddress, WHATSAPP_PREFIX } from './address.js';

export interface TwilioMessengerOptions extends SmsMessengerOptions {
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
  /** API origin. Default `https://api.twilio.com`; a local fake in tests. */
  readonly baseUrl?: string;
}

export interface ResolvedTwilioOptions {
  readonly accountSid: string;
  readonly authToken: string;
  readonly from: string | null;
  readonly messagingServiceSid: string | null;
  readonly whatsappFrom: string | null;
  readonly baseUrl: string;
  readonly sms: ResolvedSmsOptions;
}

export const DEFAULT_BASE_URL = 'https://api.twilio.com';

const WEBHOOK = 'it belongs to the webhook handler (createTwilioWebhookHandler)';
const RULES = {
  provider: 'twilio',
  known: ['accountSid', 'authToken', 'from', 'messagingServiceSid', 'whatsappFrom', 'baseUrl'],
  misplaced: {
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
  },
};

/** Validates every option; messages never quote the auth token. */
export function resolveOptions(options: TwilioMessengerOptions): ResolvedTwilioOptions {
  const sms = resolveSmsOptions(options, RULES);
  const fail = smsOptionFailure('twilio');
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
  const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/\s]+$/.test(baseUrl)) {
    fail(`baseUrl must be an origin like "https://api.twilio.com" (got "${baseUrl}").`);
  }
  return { accountSid, authToken, from, messagingServiceSid: service, whatsappFrom, baseUrl, sms };
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
