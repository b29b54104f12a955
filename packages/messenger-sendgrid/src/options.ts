import {
  type Clock,
  ConfigurationError,
  checkOptionNames,
  type Logger,
  type MessengerOptions,
  systemClock,
} from '@sitemsg/core/plugin';
import { type EmailAddress, isEmailAddress, parseEmailAddress } from './address.js';

export interface SendgridMessengerOptions extends MessengerOptions {
  /** A SendGrid API key with the `mail.send` scope (it starts with `SG.`). Never logged. */
  readonly apiKey: string;
  /** The verified sender: `"news@example.com"`, `"Example News <news@example.com>"` or `{ email, name }`. */
  readonly from: string | EmailAddress;
  /** Where replies go (`reply_to`), same formats as `from`. */
  readonly replyTo?: string | EmailAddress;
  /** Sets `mail_settings.sandbox_mode.enable`: SendGrid validates each request (200 OK) and delivers nothing. */
  readonly sandboxMode?: boolean;
  /** API origin. Default `https://api.sendgrid.com`; `https://api.eu.sendgrid.com` for EU subusers; a local fake in tests. */
  readonly baseUrl?: string;
  /** Timeout of each HTTP request in milliseconds. Default 30 000. */
  readonly timeoutMs?: number;
  /** Requests of one batch in flight at once (contents rendered per recipient need one each). Default 4. */
  readonly concurrency?: number;
  /** Where configuration failures (a refused API key) are reported. Default: `console`. */
  readonly logger?: Logger;
  /** Reads "now" for X-RateLimit-Reset and HTTP-date Retry-After values. Default: the system clock. */
  readonly clock?: Clock;
}

export interface ResolvedSendgridOptions {
  readonly apiKey: string;
  readonly from: EmailAddress;
  readonly replyTo: EmailAddress | null;
  readonly sandboxMode: boolean;
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly concurrency: number;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly messenger: MessengerOptions;
}

export const DEFAULT_BASE_URL = 'https://api.sendgrid.com';

const KNOWN = new Set([
  'apiKey',
  'from',
  'replyTo',
  'sandboxMode',
  'baseUrl',
  'timeoutMs',
  'concurrency',
  'logger',
  'clock',
  'alias',
  'title',
  'primary',
]);

const WEBHOOK = "it belongs to the event webhook handler (this package's webhook export)";
/** Options of other sitemsg objects, or of other e-mail clients, that get passed here by mistake: where each belongs. */
const MISPLACED: Readonly<Record<string, string>> = {
  publicKey: WEBHOOK,
  maxAgeSeconds: WEBHOOK,
  toleranceSeconds: WEBHOOK,
  rememberEventIds: WEBHOOK,
  onDelivered: WEBHOOK,
  sitemsg: `${WEBHOOK}; the messenger itself is registered with createSitemsg({ messengers })`,
  messenger: WEBHOOK,
  host: 'SendGrid is reached over HTTPS: set baseUrl (or use SmtpMessenger for SMTP)',
  port: 'SendGrid is reached over HTTPS: set baseUrl (or use SmtpMessenger for SMTP)',
  auth: 'SendGrid authenticates with apiKey',
  apikey: 'did you mean apiKey?',
  api_key: 'did you mean apiKey?',
  reply_to: 'did you mean replyTo?',
  sandbox: 'did you mean sandboxMode?',
  timeout: 'did you mean timeoutMs? (milliseconds)',
  baseURL: 'did you mean baseUrl?',
};

/** Validates every option at construction, so a wrong setup fails at start-up; messages never quote the key. */
export function resolveOptions(options: SendgridMessengerOptions): ResolvedSendgridOptions {
  const fail = (what: string): never => {
    throw new ConfigurationError(`[sendgrid] ${what}`);
  };
  if (typeof options !== 'object' || options === null) fail('options must be an object.');
  checkOptionNames(options, { prefix: 'sendgrid', known: KNOWN, hints: MISPLACED });
  const { apiKey } = options;
  if (typeof apiKey !== 'string' || !apiKey.startsWith('SG.') || /\s/.test(apiKey)) {
    fail('apiKey must be a SendGrid API key: a string starting with "SG." (Settings > API Keys).');
  }
  const from = addressOption('from', options.from, fail);
  if (!from) fail('from is required: the verified sender address, e.g. "Example <news@example.com>".');
  const replyTo = options.replyTo === undefined ? null : addressOption('replyTo', options.replyTo, fail);
  const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/\s]+$/.test(baseUrl)) {
    fail(`baseUrl must be an origin like "https://api.sendgrid.com" (got "${baseUrl}").`);
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) fail('timeoutMs must be a positive integer.');
  const concurrency = options.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    fail('concurrency must be an integer from 1 to 64.');
  }
  if (options.sandboxMode !== undefined && typeof options.sandboxMode !== 'boolean') {
    fail('sandboxMode must be true or false.');
  }
  return {
    apiKey,
    from: from!,
    replyTo: replyTo ?? null,
    sandboxMode: options.sandboxMode ?? false,
    baseUrl,
    timeoutMs,
    concurrency,
    logger: options.logger ?? console,
    clock: options.clock ?? systemClock,
    messenger: {
      ...(options.alias !== undefined && { alias: options.alias }),
      ...(options.title !== undefined && { title: options.title }),
      ...(options.primary !== undefined && { primary: options.primary }),
    },
  };
}

function addressOption(
  name: string,
  value: unknown,
  fail: (what: string) => never,
): EmailAddress | undefined {
  if (value === undefined) return undefined;
  const parsed = typeof value === 'string' ? parseEmailAddress(value) : value;
  if (!isEmailAddress(parsed)) {
    return fail(
      `${name} must be an e-mail address ("a@example.com", "Name <a@example.com>" or { email, name }).`,
    );
  }
  return parsed;
}
