/** WebPushMessenger's options, validated once at construction: a wrong setup fails at start-up. */
import { Agent } from 'node:https';
import {
  type Clock,
  ConfigurationError,
  checkOptionNames,
  type Logger,
  type MessengerOptions,
  systemClock,
} from '@sitemsg/core/plugin';
import { DEFAULT_PUSH_SERVICE_HOSTS, type PushServiceHosts } from './address.js';
import { checkVapidKeys } from './vapid.js';

/** RFC 8030 Urgency: how eagerly the push service wakes the device. */
export type WebPushUrgency = 'very-low' | 'low' | 'normal' | 'high';

export interface WebPushMessengerOptions extends MessengerOptions {
  /**
   * Who runs this application server: a `mailto:` address or an `https:` URL, sent in every VAPID
   * token (`sub`) so a push service can reach you. Apple refuses `https://localhost`.
   */
  readonly vapidSubject: string;
  /** The VAPID public key (65-byte P-256 point, base64url): the page's `applicationServerKey`. */
  readonly vapidPublicKey: string;
  /** The VAPID private key (32 bytes, base64url). Never logged, never in an error message. */
  readonly vapidPrivateKey: string;
  /**
   * The user field holding the user's subscriptions: an array (or one) of what
   * `PushSubscription.toJSON()` gives, as objects or JSON strings. Default `pushSubscriptions`.
   */
  readonly subscriptionsField?: string;
  /**
   * Hosts a subscription's endpoint may name (`*.` matches subdomains). Default: the browsers'
   * push services (FCM, Mozilla, Apple, WNS). `'any'` turns the check off — then whoever can store a
   * subscription can make the server POST to any HTTPS URL.
   */
  readonly pushServiceHosts?: PushServiceHosts;
  /** How long a push service keeps an undelivered message (TTL header), seconds. Default 2 419 200 (28 days, web-push's). */
  readonly ttlSeconds?: number;
  /** Urgency of messages whose push payload sets no `priority`. Default `normal`. */
  readonly urgency?: WebPushUrgency;
  /** Socket timeout of each request in milliseconds. Default 30 000. */
  readonly timeoutMs?: number;
  /** Requests of one batch in flight at once (one request per subscription). Default 8. */
  readonly concurrency?: number;
  /** The https.Agent web-push sends through (its own `agent` option): keep-alive, a CA for a test push service. */
  readonly agent?: Agent;
  /** How long a health answer is reused, in milliseconds. Default 60 000. */
  readonly healthCacheMs?: number;
  /** Where configuration failures (VAPID refused) are reported. Default: `console`. */
  readonly logger?: Logger;
  /** Reads "now" for Retry-After dates and the health cache. Default: the system clock. */
  readonly clock?: Clock;
}

export interface ResolvedWebPushOptions {
  readonly vapid: { readonly subject: string; readonly publicKey: string; readonly privateKey: string };
  readonly subscriptionsField: string;
  readonly pushServiceHosts: PushServiceHosts;
  readonly ttlSeconds: number;
  readonly urgency: WebPushUrgency;
  readonly timeoutMs: number;
  readonly concurrency: number;
  readonly agent: Agent | undefined;
  readonly healthCacheMs: number;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly messenger: MessengerOptions;
}

/** web-push's default TTL: four weeks. */
export const DEFAULT_TTL_SECONDS = 2_419_200;

export const URGENCIES: readonly WebPushUrgency[] = ['very-low', 'low', 'normal', 'high'];

const KNOWN = new Set([
  'vapidSubject',
  'vapidPublicKey',
  'vapidPrivateKey',
  'subscriptionsField',
  'pushServiceHosts',
  'ttlSeconds',
  'urgency',
  'timeoutMs',
  'concurrency',
  'agent',
  'healthCacheMs',
  'logger',
  'clock',
  'alias',
  'title',
  'primary',
]);

/** Options that get passed here by mistake, and where each belongs. */
const MISPLACED: Readonly<Record<string, string>> = {
  vapidDetails: 'give vapidSubject, vapidPublicKey and vapidPrivateKey',
  vapidKeys: 'give vapidPublicKey and vapidPrivateKey',
  publicKey: 'did you mean vapidPublicKey?',
  privateKey: 'did you mean vapidPrivateKey?',
  subject: 'did you mean vapidSubject?',
  gcmAPIKey: 'GCM keys are obsolete: Web Push authenticates with VAPID',
  TTL: 'did you mean ttlSeconds?',
  ttl: 'did you mean ttlSeconds? (seconds)',
  topic: 'the Topic comes from each message: push.collapseKey',
  timeout: 'did you mean timeoutMs? (milliseconds)',
  proxy: 'pass an agent (https.Agent) instead',
};

/** Validates every option; messages never quote the private key. */
export function resolveOptions(options: WebPushMessengerOptions): ResolvedWebPushOptions {
  const fail = (what: string): never => {
    throw new ConfigurationError(`[webpush] ${what}`);
  };
  if (typeof options !== 'object' || options === null) fail('options must be an object.');
  checkOptionNames(options, { prefix: 'webpush', known: KNOWN, hints: MISPLACED });
  const problem = checkVapidKeys(options.vapidSubject, options.vapidPublicKey, options.vapidPrivateKey);
  if (problem !== null) fail(problem);
  const subscriptionsField = options.subscriptionsField ?? 'pushSubscriptions';
  if (typeof subscriptionsField !== 'string' || subscriptionsField === '') {
    fail('subscriptionsField must be the name of a user field.');
  }
  const pushServiceHosts = options.pushServiceHosts ?? DEFAULT_PUSH_SERVICE_HOSTS;
  if (
    pushServiceHosts !== 'any' &&
    (!Array.isArray(pushServiceHosts) ||
      pushServiceHosts.length === 0 ||
      !pushServiceHosts.every((h) => typeof h === 'string' && /^(\*\.)?[a-z0-9.-]+$/i.test(h)))
  ) {
    fail(
      'pushServiceHosts must be a non-empty list of host names ("*.push.apple.com" matches subdomains), or "any".',
    );
  }
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 0) fail('ttlSeconds must be 0 or more seconds.');
  const urgency = options.urgency ?? 'normal';
  if (!URGENCIES.includes(urgency)) fail(`urgency must be one of ${URGENCIES.join(', ')}.`);
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) fail('timeoutMs must be a positive integer.');
  const concurrency = options.concurrency ?? 8;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    fail('concurrency must be an integer from 1 to 64.');
  }
  if (options.agent !== undefined && !(options.agent instanceof Agent)) {
    fail('agent must be an https.Agent (web-push sends over https.request).');
  }
  const healthCacheMs = options.healthCacheMs ?? 60_000;
  if (!Number.isInteger(healthCacheMs) || healthCacheMs < 0) {
    fail('healthCacheMs must be 0 or more milliseconds.');
  }
  return {
    vapid: {
      subject: options.vapidSubject,
      publicKey: options.vapidPublicKey,
      privateKey: options.vapidPrivateKey,
    },
    subscriptionsField,
    pushServiceHosts,
    ttlSeconds,
    urgency,
    timeoutMs,
    concurrency,
    agent: options.agent,
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
