import { hostname } from 'node:os';
import type { BackoffOptions } from '../backoff.js';
import { type Clock, systemClock } from '../clock.js';
import type { TemplateRenderer } from '../compiled.js';
import { ConfigurationError } from '../errors.js';
import { DEFAULT_SUPPRESSING_FEEDBACK, type SuppressingFeedback } from '../feedback.js';
import { completeLogger, type Logger } from '../logger.js';
import type { MessageTypeClass } from '../message-type.js';
import type { Messenger } from '../messenger.js';
import type { Store } from '../store.js';
import type { DispatchRecord, SitemsgUser } from '../types.js';

export type { Logger };

export interface SitemsgOptions {
  /** Where messages live. Default: a new MemoryStore. */
  readonly store?: Store;
  readonly messengers?: readonly Messenger[];
  /** Extra message types; the built-ins (plain, email_plain, email_html) are always registered. */
  readonly messageTypes?: readonly MessageTypeClass[];
  /** Signs unsubscribe and mark-read links (at least 16 characters). Without it, messages carry no links. */
  readonly secret?: string;
  /**
   * Base URL of the site, for links and templates, and for the provider webhooks messengers point
   * status callbacks at (`{siteUrl}{linkBasePath}/webhooks/{provider}`). Default `http://localhost`
   * for links; without it, messengers send no default status callback.
   */
  readonly siteUrl?: string;
  /** Path the express views are mounted at (their `basePath`; webhooks under `/webhooks`). Default `/sitemsg`. */
  readonly linkBasePath?: string;
  /**
   * Lifetime of signed links in whole seconds (60 to 100 years); default: they do not expire. Keep
   * it at 30 days (2592000) or more: bulk-sender rules expect unsubscribe links to work that long.
   */
  readonly linkTtlSeconds?: number;
  /** Loads users by id, for user subscriptions (fresh addresses, inactive users skipped). */
  readonly getUsers?: (ids: readonly string[]) => Promise<readonly SitemsgUser[]>;
  readonly renderer?: TemplateRenderer;
  readonly clock?: Clock;
  readonly random?: () => number;
  readonly logger?: Logger;
  readonly backoff?: BackoffOptions;
  /** How long a claimed dispatch stays leased; renewed while its batch is sending. Default 30 s. */
  readonly leaseMs?: number;
  /** This process's worker id (lease owner). Default: host, pid and a random suffix. */
  readonly workerId?: string;
  /** Timeout of each health check. Default 5 s. */
  readonly healthTimeoutMs?: number;
  /**
   * Which delivery feedback suppresses the address on its messenger for every message type.
   * Default: hard bounces, complaints, opt-outs and invalid addresses. `[]` records only.
   */
  readonly suppressOnFeedback?: readonly SuppressingFeedback[];
  /**
   * Called once when feedback says an address is dead (an unregistered device token, a number
   * that does not exist): the place to delete it from your own user records. A throw is logged.
   */
  readonly onAddressInvalid?: (invalid: AddressInvalid) => void | Promise<void>;
}

/** What `onAddressInvalid` is told. */
export interface AddressInvalid {
  readonly messenger: string;
  readonly address: string;
  /** The user the dispatch was for, when it was for one. */
  readonly userId: string | null;
  /** The dispatch the feedback came through, or null (feedback about an address alone). */
  readonly dispatch: DispatchRecord | null;
}

export interface ResolvedOptions {
  readonly secret: string | null;
  readonly siteUrl: string;
  /** Whether the application gave `siteUrl` (a public address providers can call back). */
  readonly siteUrlGiven: boolean;
  readonly linkBasePath: string;
  readonly linkTtlSeconds: number | null;
  readonly getUsers: SitemsgOptions['getUsers'] | null;
  readonly renderer: TemplateRenderer | null;
  readonly clock: Clock;
  readonly random: () => number;
  readonly logger: Required<Logger>;
  readonly backoff: BackoffOptions;
  readonly leaseMs: number;
  readonly workerId: string;
  readonly healthTimeoutMs: number;
  readonly suppressOn: ReadonlySet<string>;
  readonly onAddressInvalid: SitemsgOptions['onAddressInvalid'] | null;
}

/** Shortest and longest link lifetimes: a minute (tests, one-time codes) to a hundred years. */
const MIN_LINK_TTL = 60;
const MAX_LINK_TTL = 100 * 365 * 86_400;

/** Validates options once, at `createSitemsg`, so a wrong setup fails at start-up, not at the first send. */
export function resolveOptions(options: SitemsgOptions): ResolvedOptions {
  const known = new Set([
    'store',
    'messengers',
    'messageTypes',
    'secret',
    'siteUrl',
    'linkBasePath',
    'linkTtlSeconds',
    'getUsers',
    'renderer',
    'clock',
    'random',
    'logger',
    'backoff',
    'leaseMs',
    'workerId',
    'healthTimeoutMs',
    'suppressOnFeedback',
    'onAddressInvalid',
  ]);
  for (const key of Object.keys(options)) {
    if (!known.has(key)) throw new ConfigurationError(`Unknown option "${key}" passed to createSitemsg().`);
  }
  if (options.secret !== undefined && (typeof options.secret !== 'string' || options.secret.length < 16)) {
    throw new ConfigurationError(
      'secret must be a string of at least 16 characters (keep it out of the repository).',
    );
  }
  const leaseMs = options.leaseMs ?? 30_000;
  if (!Number.isFinite(leaseMs) || leaseMs < 1000)
    throw new ConfigurationError('leaseMs must be at least 1000.');
  const siteUrl = options.siteUrl ?? 'http://localhost';
  if (!/^https?:\/\//.test(siteUrl))
    throw new ConfigurationError(`siteUrl must start with http:// or https:// (got "${siteUrl}").`);
  const linkBasePath = options.linkBasePath ?? '/sitemsg';
  if (!/^(\/[A-Za-z0-9._~-]+)*$/.test(linkBasePath)) {
    throw new ConfigurationError(`linkBasePath must look like "/sitemsg" (got "${linkBasePath}").`);
  }
  const linkTtlSeconds = options.linkTtlSeconds ?? null;
  if (
    linkTtlSeconds !== null &&
    !(
      Number.isSafeInteger(linkTtlSeconds) &&
      linkTtlSeconds >= MIN_LINK_TTL &&
      linkTtlSeconds <= MAX_LINK_TTL
    )
  ) {
    throw new ConfigurationError(
      `linkTtlSeconds must be a whole number of seconds from ${MIN_LINK_TTL} to ${MAX_LINK_TTL} (got ${JSON.stringify(linkTtlSeconds)}); mail providers expect unsubscribe links to work for at least 30 days (2592000).`,
    );
  }
  return {
    secret: options.secret ?? null,
    siteUrl: siteUrl.replace(/\/+$/, ''),
    siteUrlGiven: options.siteUrl !== undefined,
    linkBasePath,
    linkTtlSeconds,
    getUsers: options.getUsers ?? null,
    renderer: options.renderer ?? null,
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
    logger: completeLogger(options.logger),
    backoff: options.backoff ?? {},
    leaseMs,
    workerId: options.workerId ?? `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`,
    healthTimeoutMs: options.healthTimeoutMs ?? 5000,
    suppressOn: suppressionPolicy(options.suppressOnFeedback),
    onAddressInvalid: options.onAddressInvalid ?? null,
  };
}

const SUPPRESSING = new Set<string>([
  'bounced:hard',
  'bounced:soft',
  'complained',
  'opted-out',
  'address-invalid',
]);

function suppressionPolicy(kinds: readonly SuppressingFeedback[] | undefined): ReadonlySet<string> {
  if (kinds === undefined) return new Set(DEFAULT_SUPPRESSING_FEEDBACK);
  if (!Array.isArray(kinds) || kinds.some((k) => !SUPPRESSING.has(k))) {
    throw new ConfigurationError(
      `suppressOnFeedback must list some of ${[...SUPPRESSING].join(', ')} (got ${JSON.stringify(kinds)}).`,
    );
  }
  return new Set(kinds);
}
