import type { Sitemsg } from '@sitemsg/core';
import cookieParser from 'cookie-parser';
import express, { type Router } from 'express';
import { createCsrf } from './csrf.js';
import { errorHandler } from './error-handler.js';
import { mountHealth } from './health-routes.js';
import { mountInboxApi } from './inbox-api-routes.js';
import { mountLinks } from './link-routes.js';
import { resolveRouterOptions, type SitemsgRouterOptions } from './options.js';
import { mountPreferences } from './preference-routes.js';
import { loadUser } from './user.js';
import { createViews } from './views.js';
import { mountWebhooks } from './webhook-routes.js';

/**
 * An Express 5 router with sitemsg's user-facing routes under `basePath` (default `/sitemsg`, the
 * engine's `linkBasePath`): unsubscribe and mark-read links, liveness, and the provider webhooks
 * given; with `getUser` and `csrf`, also the preferences page and the inbox API for the bell.
 * Mount it with `app.use(router)`.
 */
export function sitemsgRouter(sitemsg: Sitemsg, options?: SitemsgRouterOptions): Router {
  const resolved = resolveRouterOptions(sitemsg, options);
  const router = express.Router();
  const views = createViews(resolved);
  const base = resolved.basePath;

  router.use(base, (_req, res, next) => {
    // Pages carry signed tokens, CSRF tokens and personal data: never cache them.
    res.set('Cache-Control', 'no-store');
    res.set('X-Content-Type-Options', 'nosniff');
    next();
  });
  mountLinks(router, sitemsg, resolved, views);
  const { accounts } = resolved;
  if (accounts) {
    const csrf = createCsrf(accounts, base);
    // Only the routes that act for a signed-in user ask who it is: a link from an e-mail works even
    // when the session store is down.
    router.use([`${base}/preferences`, `${base}/api`], cookieParser(), loadUser(accounts));
    mountPreferences(router, sitemsg, resolved, views, csrf);
    if (resolved.inbox) mountInboxApi(router, resolved.inbox, resolved, csrf);
  }
  mountHealth(router, sitemsg, resolved.inbox, resolved);
  mountWebhooks(router, resolved);
  router.use(base, errorHandler(resolved, views));
  return router;
}
