import type { ConnectionOptions } from 'node:tls';
import { ConfigurationError, type MessengerOptions } from '@sitemsg/core/plugin';
import type { Transporter } from 'nodemailer';
import { isEmailAddress, type Mailbox, parseMailbox } from './address.js';

export interface SmtpAuth {
  readonly user: string;
  readonly pass: string;
  /** Forces one SASL mechanism; by default nodemailer picks from what the server offers. */
  readonly method?: 'PLAIN' | 'LOGIN' | 'CRAM-MD5';
}

/** What both ways of building an SmtpMessenger share. */
export interface SmtpMessageOptions extends MessengerOptions {
  /** Sender: `"Shop" <shop@example.com>`, `shop@example.com` or `{ name, address }`. Also the envelope sender. */
  readonly from: string | Mailbox;
  /** Reply-To of every message (a message type's own `Reply-To` header wins). */
  readonly replyTo?: string | Mailbox;
  /** Adds `<mailto:ADDRESS?subject=unsubscribe%20DISPATCH_ID>` to List-Unsubscribe. */
  readonly listUnsubscribeMailto?: string;
  /** Timeout of `healthCheck()` and of the warm-up verification, in ms. Default 10,000. */
  readonly healthTimeoutMs?: number;
}

/** The messenger opens (and closes) its own nodemailer transporter. */
export interface SmtpServerOptions extends SmtpMessageOptions {
  readonly host: string;
  /** Default 465 with `secure`, else 587. */
  readonly port?: number;
  /** Implicit TLS from the first byte (port 465). */
  readonly secure?: boolean;
  /** Plain connection upgraded with STARTTLS, which must succeed: never a plain-text fallback. */
  readonly requireTLS?: boolean;
  /** Node TLS options (`ca`, `servername`, `minVersion`, ...). */
  readonly tls?: ConnectionOptions;
  readonly auth?: SmtpAuth;
  /** Keep connections open across messages and batches. Default true. */
  readonly pool?: boolean;
  /** Pooled connections at most. Default 5. */
  readonly maxConnections?: number;
  /** Messages per pooled connection before it is replaced. Default 100. */
  readonly maxMessages?: number;
  /** Host name announced in EHLO. Default: the machine's host name. */
  readonly name?: string;
  /** ms to wait for the TCP connection. nodemailer's default: 2 minutes. */
  readonly connectionTimeout?: number;
  /** ms to wait for the greeting. nodemailer's default: 30 s. */
  readonly greetingTimeout?: number;
  /** ms of inactivity before the socket is closed. nodemailer's default: 10 minutes. */
  readonly socketTimeout?: number;
  readonly transporter?: never;
}

/** The application brings its own transporter (created with nodemailer's `createTransport`); it stays the app's to close. */
export interface SmtpTransporterOptions extends SmtpMessageOptions {
  readonly transporter: Transporter;
  readonly host?: never;
}

export type SmtpMessengerOptions = SmtpServerOptions | SmtpTransporterOptions;

/** Options checked and defaulted once, in the constructor. */
export interface SmtpSettings {
  readonly from: Mailbox;
  readonly replyTo: Mailbox | null;
  readonly listUnsubscribeMailto: string | null;
  readonly healthTimeoutMs: number;
  /** Where the messenger connects, for messages (never credentials). */
  readonly endpoint: string;
}

const MESSENGER_KEYS = ['alias', 'title', 'primary'];
const MESSAGE_KEYS = ['from', 'replyTo', 'listUnsubscribeMailto', 'healthTimeoutMs', ...MESSENGER_KEYS];
/** The options a configuration file may set (everything but `transporter`). */
export const SERVER_KEYS: readonly string[] = [
  ...MESSAGE_KEYS,
  'host',
  'port',
  'secure',
  'requireTLS',
  'tls',
  'auth',
  'pool',
  'maxConnections',
  'maxMessages',
  'name',
  'connectionTimeout',
  'greetingTimeout',
  'socketTimeout',
];

function fail(alias: string, what: string): never {
  throw new ConfigurationError(`[sitemsg] [${alias}] ${what}`);
}

const CONNECTION =
  "with transporter, the connection is configured in nodemailer's createTransport(); or drop transporter";
const IN_AUTH = 'it belongs in auth: { user, pass }';
const IN_TLS = 'it belongs in tls: { ... } (Node TLS options)';
const TRANSPORT = 'it belongs to sitemsgTransport({ sitemsg, messenger })';
/** Keys that are known somewhere else, with where they belong: the error says so instead of only "unknown". */
const MISPLACED: Readonly<Record<string, string>> = {
  ...Object.fromEntries(SERVER_KEYS.filter((k) => !MESSAGE_KEYS.includes(k)).map((k) => [k, CONNECTION])),
  user: IN_AUTH,
  pass: IN_AUTH,
  username: IN_AUTH,
  password: IN_AUTH,
  ca: IN_TLS,
  cert: IN_TLS,
  key: IN_TLS,
  servername: IN_TLS,
  rejectUnauthorized: IN_TLS,
  minVersion: IN_TLS,
  sitemsg: TRANSPORT,
  messenger: TRANSPORT,
  hostname: 'did you mean host? (name is the EHLO host name)',
  apiKey: 'it belongs to SendgridMessenger (@sitemsg/messenger-sendgrid)',
  baseUrl: 'it belongs to SendgridMessenger (@sitemsg/messenger-sendgrid)',
  type: 'only password logins are supported (PLAIN, LOGIN, CRAM-MD5); for OAuth2 pass a transporter',
};

function checkKeys(alias: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const home = MISPLACED[key];
    fail(alias, `unknown option "${key}"${home ? ` (${home})` : ''}: the options are ${known.join(', ')}.`);
  }
}

function positiveInt(alias: string, name: string, value: unknown, max = Number.MAX_SAFE_INTEGER): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    fail(alias, `${name} must be an integer from 1 to ${max} (got ${JSON.stringify(value)}).`);
  }
}

function flag(alias: string, name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') {
    fail(alias, `${name} must be true or false (got ${JSON.stringify(value)}).`);
  }
}

function checkAuth(alias: string, auth: unknown): void {
  if (auth === undefined) return;
  const a = auth as Record<string, unknown>;
  if (typeof auth !== 'object' || auth === null || typeof a.user !== 'string' || typeof a.pass !== 'string') {
    fail(alias, 'auth must be { user, pass } with string values.');
  }
  checkKeys(alias, a, ['user', 'pass', 'method']);
  if (a.method !== undefined && !['PLAIN', 'LOGIN', 'CRAM-MD5'].includes(String(a.method))) {
    fail(alias, `auth.method must be PLAIN, LOGIN or CRAM-MD5 (got ${JSON.stringify(a.method)}).`);
  }
}

function checkServer(alias: string, o: SmtpServerOptions): string {
  if (typeof o.host !== 'string' || o.host.trim() === '') {
    fail(alias, 'host is required (or pass { transporter } built with nodemailer).');
  }
  positiveInt(alias, 'port', o.port, 65_535);
  for (const name of ['secure', 'requireTLS', 'pool'] as const) flag(alias, name, o[name]);
  if (o.secure && o.requireTLS) {
    fail(alias, 'choose secure (implicit TLS, port 465) or requireTLS (STARTTLS, port 587), not both.');
  }
  if (o.tls !== undefined && (typeof o.tls !== 'object' || o.tls === null)) {
    fail(alias, 'tls must be an object of Node TLS options.');
  }
  checkAuth(alias, o.auth);
  positiveInt(alias, 'maxConnections', o.maxConnections);
  positiveInt(alias, 'maxMessages', o.maxMessages);
  if (o.pool === false && (o.maxConnections !== undefined || o.maxMessages !== undefined)) {
    fail(alias, 'maxConnections and maxMessages apply to pooled connections: drop them or set pool: true.');
  }
  for (const name of ['connectionTimeout', 'greetingTimeout', 'socketTimeout'] as const) {
    positiveInt(alias, name, o[name]);
  }
  if (o.name !== undefined && (typeof o.name !== 'string' || !/^[A-Za-z0-9.[\]:-]+$/.test(o.name))) {
    fail(alias, 'name (the EHLO host name) must be a host name.');
  }
  return `${o.host}:${o.port ?? (o.secure ? 465 : 587)}`;
}

/** Validates every option (unknown ones included) and returns the resolved message settings. */
export function resolveSettings(alias: string, options: SmtpMessengerOptions): SmtpSettings {
  if (typeof options !== 'object' || options === null) fail(alias, 'options are required.');
  const withTransporter = 'transporter' in options && options.transporter !== undefined;
  checkKeys(alias, options, withTransporter ? [...MESSAGE_KEYS, 'transporter'] : SERVER_KEYS);
  let endpoint = 'the transporter passed in';
  if (withTransporter) {
    if (typeof options.transporter.sendMail !== 'function') {
      fail(alias, 'transporter must be a nodemailer transporter (from createTransport()).');
    }
  } else {
    endpoint = checkServer(alias, options as SmtpServerOptions);
  }
  const from = parseMailbox(options.from);
  if (!from) fail(alias, 'from is required: an e-mail address, `"Name" <address>` or { name, address }.');
  const replyTo = options.replyTo === undefined ? null : parseMailbox(options.replyTo);
  if (replyTo === null && options.replyTo !== undefined) fail(alias, 'replyTo must be one e-mail address.');
  const mailto = options.listUnsubscribeMailto;
  if (mailto !== undefined && !isEmailAddress(mailto)) {
    fail(alias, 'listUnsubscribeMailto must be an e-mail address (the mailto: target).');
  }
  positiveInt(alias, 'healthTimeoutMs', options.healthTimeoutMs);
  return {
    from,
    replyTo,
    listUnsubscribeMailto: mailto ?? null,
    healthTimeoutMs: options.healthTimeoutMs ?? 10_000,
    endpoint,
  };
}
