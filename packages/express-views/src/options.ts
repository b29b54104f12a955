import type { Logger, PreferencesOptions, Result, Sitemsg, SitemsgUser } from '@sitemsg/core';
import { ConfigurationError } from '@sitemsg/core';
import type { InboxService } from '@sitemsg/inbox';
import type { Request } from 'express';

/** Headers as node has them; a webhook handler looks them up case-insensitively. */
export type WebhookHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * A framework-neutral webhook handler, e.g. `createSendgridEventHandler()` from
 * `@sitemsg/messenger-sendgrid`: it gets the raw body (the signature covers those exact bytes).
 */
export type WebhookHandler = (
  rawBody: Buffer,
  headers: WebhookHeaders,
) => Promise<Result<unknown, Error>> | Result<unknown, Error>;

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

export interface SitemsgRouterOptions {
  /** The signed-in user of a request, or null/undefined when nobody is signed in. */
  readonly getUser: (
    req: Request,
  ) => SitemsgUser | null | undefined | Promise<SitemsgUser | null | undefined>;
  /** Enables the inbox JSON API (the bell). */
  readonly inbox?: InboxLike;
  /** Where the routes live; must equal the engine's `linkBasePath`. Default `/sitemsg`. */
  readonly basePath?: string;
  /** CSRF protection of the preferences form and the inbox API (csrf-csrf, double submit). */
  readonly csrf: CsrfOptions;
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
  /** Mount `GET {basePath}/health`. Default true. */
  readonly health?: boolean;
  /** Mounted at `POST {basePath}/webhooks/sendgrid` when given. */
  readonly sendgridEvents?: WebhookHandler;
  /** Where failures the user does not see (a mark-read pixel that failed) are reported. */
  readonly logger?: Logger;
}

export interface ResolvedRouterOptions extends SitemsgRouterOptions {
  readonly basePath: string;
  readonly bootstrap: boolean;
  readonly stylesheets: readonly string[];
  readonly health: boolean;
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
  'sendgridEvents',
  'logger',
]);

/** Validates the options once, so a wrong setup fails when the router is built, not on a request. */
export function resolveRouterOptions(sitemsg: Sitemsg, options: SitemsgRouterOptions): ResolvedRouterOptions {
  if (!sitemsg || typeof sitemsg.verifySignedLink !== 'function') {
    throw new ConfigurationError(
      '[sitemsg] [express-views] sitemsgRouter() needs the engine from createSitemsg().',
    );
  }
  for (const key of Object.keys(options ?? {})) {
    if (!KNOWN.has(key)) throw new ConfigurationError(`[sitemsg] [express-views] unknown option "${key}".`);
  }
  if (typeof options.getUser !== 'function') {
    throw new ConfigurationError(
      '[sitemsg] [express-views] getUser(req) is required: it tells who is signed in.',
    );
  }
  if (!options.csrf || typeof options.csrf.secret !== 'string' || options.csrf.secret.length < 16) {
    throw new ConfigurationError(
      '[sitemsg] [express-views] csrf.secret must be a string of at least 16 characters (keep it out of the repository).',
    );
  }
  const basePath = options.basePath ?? '/sitemsg';
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(basePath)) {
    throw new ConfigurationError(
      `[sitemsg] [express-views] basePath must look like "/sitemsg" (got "${basePath}").`,
    );
  }
  if (options.sendgridEvents !== undefined && typeof options.sendgridEvents !== 'function') {
    throw new ConfigurationError(
      '[sitemsg] [express-views] sendgridEvents must be a handler (rawBody, headers) => Result.',
    );
  }
  return {
    ...options,
    basePath,
    bootstrap: options.bootstrap ?? false,
    stylesheets: options.stylesheets ?? [],
    health: options.health ?? true,
  };
}
