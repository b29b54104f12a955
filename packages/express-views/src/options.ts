import type { PreferencesOptions, Sitemsg } from '@sitemsg/core';
import type { Clock, Logger, SitemsgUser, WebhookHandler } from '@sitemsg/core/plugin';
import { ConfigurationError, systemClock } from '@sitemsg/core/plugin';
import type { InboxService } from '@sitemsg/inbox';
import type { Request } from 'express';

/** The part of an InboxService the router uses (an `InboxService` from `@sitemsg/inbox`). */
export type InboxLike = Pick<
  InboxService,
  'getInbox' | 'getMessage' | 'markRead' | 'markAllRead' | 'delete' | 'countUnread' | 'healthCheck'
>;

export interface CsrfOptions {
  /** HMAC secret of the CSRF tokens (at least 16 characters; keep it out of the repository). */
  readonly secret: string;
  /** Name of the CSRF cookie. Default `sitemsg_csrf`. */
  readonly cookieName?: string;
  /** Send the cookie over HTTPS only. Default true; false only for plain-HTTP development. */
  readonly secureCookie?: boolean;
}

/** What a page wrapper receives: the page title and its HTML (already escaped where needed). */
export interface PageParts {
  readonly title: string;
  readonly body: string;
}

/** Detailed readiness: every component's health, for your monitoring only. */
export interface ReadinessOptions {
  /**
   * Who may see it (a monitoring token, an admin session): true lets the request through, false
   * answers 403. The details name your components and may name hosts, so there is no default.
   */
  readonly guard: (req: Request) => boolean | Promise<boolean>;
  /**
   * How long one round of checks is served before a request runs them again, in ms. Default
   * 10000. The checks open connections (an SMTP login, a provider API call): never one per request.
   */
  readonly cacheMs?: number;
}

export interface HealthOptions {
  /** Mounts `GET {basePath}/health/ready` behind `guard`. Without it only liveness is served. */
  readonly readiness?: ReadinessOptions;
}

export interface SitemsgRouterOptions {
  /**
   * The signed-in user of a request (`{ id }`, a non-empty string or a finite number), or
   * null/undefined when nobody is signed in. With `csrf`, enables the preferences page and the
   * inbox API; without both, only the link routes (unsubscribe, mark-read) are served.
   */
  readonly getUser?: (
    req: Request,
  ) => SitemsgUser | null | undefined | Promise<SitemsgUser | null | undefined>;
  /** Enables the inbox JSON API (the bell); needs `getUser` and `csrf`. */
  readonly inbox?: InboxLike;
  /** Where the routes live; must equal the engine's `linkBasePath`. Default `/sitemsg`. */
  readonly basePath?: string;
  /** CSRF protection of the preferences form and the inbox API (csrf-csrf, double submit); needed with `getUser`. */
  readonly csrf?: CsrfOptions;
  /** Render pages with Bootstrap classes (the application loads Bootstrap, e.g. through `stylesheets`). */
  readonly bootstrap?: boolean;
  /** Stylesheet URLs linked from every page. */
  readonly stylesheets?: readonly string[];
  /** Wraps each page's body in the application's own layout instead of the built-in HTML page. */
  readonly layout?: (page: PageParts) => string;
  /** Where pages that need a signed-in user redirect (with `?next=`); without it they answer 401. */
  readonly loginUrl?: string;
  /** Rows and columns of the preferences table, titles of messengers. */
  readonly preferences?: PreferencesOptions;
  /**
   * `GET {basePath}/health` is liveness only (no outbound call, nothing internal named); `false`
   * leaves it out; `{ readiness }` adds the detailed, guarded and cached readiness route.
   */
  readonly health?: boolean | HealthOptions;
  /**
   * Provider webhooks by name, e.g. `{ sendgrid: createSendgridWebhookHandler({...}) }`: each is
   * mounted at `{basePath}/webhooks/{name}` (any method, raw body). Names are lower-case
   * letters, digits, `-` and `_`.
   */
  readonly webhooks?: Readonly<Record<string, WebhookHandler>>;
  /** "Now" for the readiness cache. Default the system clock. */
  readonly clock?: Clock;
  /**
   * Where failures the user does not see are reported (a mark-read pixel that failed, a
   * misconfigured getUser, a webhook handler that threw). Default: `console.error` / `console.warn`.
   */
  readonly logger?: Logger;
}

/** Present when the router acts for signed-in users (preferences, inbox API). */
export interface AccountOptions {
  readonly getUser: NonNullable<SitemsgRouterOptions['getUser']>;
  readonly csrf: CsrfOptions;
}

export interface ResolvedRouterOptions extends SitemsgRouterOptions {
  readonly basePath: string;
  readonly bootstrap: boolean;
  readonly stylesheets: readonly string[];
  readonly health: false | HealthOptions;
  readonly accounts: AccountOptions | null;
  readonly webhookHandlers: ReadonlyMap<string, WebhookHandler>;
  readonly clock: Clock;
  readonly logger: Logger;
}

const KNOWN = new Set([
  'getUser',
  'inbox',
  'basePath',
  'csrf',
  'bootstrap',
  'stylesheets',
  'layout',
  'loginUrl',
  'preferences',
  'health',
  'webhooks',
  'clock',
  'logger',
]);

const fail = (what: string): never => {
  throw new ConfigurationError(`[sitemsg] [express-views] ${what}`);
};

/** Validates the options once, so a wrong setup fails when the router is built, not on a request. */
export function resolveRouterOptions(
  sitemsg: Sitemsg,
  options: SitemsgRouterOptions = {},
): ResolvedRouterOptions {
  if (!sitemsg || typeof sitemsg.verifySignedLink !== 'function') {
    fail('sitemsgRouter() needs the engine from createSitemsg().');
  }
  for (const key of Object.keys(options)) {
    if (key === 'sendgridEvents') {
      fail(
        'the sendgridEvents option was replaced by webhooks: { sendgrid: createSendgridWebhookHandler({ ... }) } from @sitemsg/messenger-sendgrid.',
      );
    }
    if (!KNOWN.has(key)) fail(`unknown option "${key}".`);
  }
  const basePath = options.basePath ?? '/sitemsg';
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(basePath)) {
    fail(`basePath must look like "/sitemsg" (got "${basePath}").`);
  }
  return {
    ...options,
    basePath,
    bootstrap: options.bootstrap ?? false,
    stylesheets: options.stylesheets ?? [],
    health: resolveHealth(options.health),
    accounts: resolveAccounts(options),
    webhookHandlers: resolveWebhooks(options.webhooks),
    clock: options.clock ?? systemClock,
    logger: options.logger ?? { error: console.error, warn: console.warn },
  };
}

/** getUser and csrf come together: neither is needed by an application that only sends links. */
function resolveAccounts(options: SitemsgRouterOptions): AccountOptions | null {
  const { getUser, csrf, inbox } = options;
  if (getUser === undefined && csrf === undefined && inbox === undefined) return null;
  if (typeof getUser !== 'function') {
    return fail(
      'getUser(req) is required with csrf or inbox: it tells who is signed in. Leave all three out to serve only the unsubscribe and mark-read links.',
    );
  }
  if (!csrf || typeof csrf.secret !== 'string' || csrf.secret.length < 16) {
    return fail(
      'csrf.secret must be a string of at least 16 characters when getUser is given (keep it out of the repository).',
    );
  }
  return { getUser, csrf };
}

function resolveHealth(health: SitemsgRouterOptions['health']): false | HealthOptions {
  if (health === false) return false;
  if (health === undefined || health === true) return {};
  if (typeof health !== 'object' || health === null)
    return fail('health must be a boolean or { readiness }.');
  const { readiness } = health;
  if (readiness === undefined) return {};
  if (typeof readiness?.guard !== 'function') {
    return fail(
      'health.readiness.guard(req) is required: readiness names your components, so only your monitoring may see it.',
    );
  }
  const { cacheMs } = readiness;
  if (cacheMs !== undefined && !(Number.isFinite(cacheMs) && cacheMs >= 0)) {
    return fail('health.readiness.cacheMs must be a number of milliseconds (0 or more).');
  }
  return { readiness };
}

function resolveWebhooks(webhooks: SitemsgRouterOptions['webhooks']): ReadonlyMap<string, WebhookHandler> {
  // A Map, not the object: `/webhooks/constructor` must not find Object.prototype.constructor.
  const handlers = new Map<string, WebhookHandler>();
  for (const [name, handler] of Object.entries(webhooks ?? {})) {
    if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(name)) {
      fail(`webhooks: "${name}" is not a provider name (lower-case letters, digits, "-" and "_").`);
    }
    if (typeof handler !== 'function') {
      fail(`webhooks.${name} must be a handler (request) => Promise<{ status, headers?, body? }>.`);
    }
    handlers.set(name, handler);
  }
  return handlers;
}
