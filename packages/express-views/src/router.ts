import type { Sitemsg } from '@sitemsg/core';
import cookieParser from 'cookie-parser';
import express, {
  type ErrorRequestHandler,
  type NextFunction,
  type Request,
  type Response,
  type Router,
} from 'express';
import { createCsrf } from './csrf.js';
import { clientErrorStatus, isCsrfError } from './errors.js';
import { mountHealth } from './health.js';
import { mountInboxApi } from './inbox-api.js';
import { mountLinks } from './links.js';
import { resolveRouterOptions, type SitemsgRouterOptions } from './options.js';
import { mountPreferences } from './preferences.js';
import { loadUser } from './user.js';
import { createViews, type Views } from './views.js';
import { mountSendgridEvents } from './webhooks.js';

/**
 * An Express 5 router with sitemsg's user-facing routes under `basePath` (default `/sitemsg`, the
 * engine's `linkBasePath`): unsubscribe and mark-read links, the preferences page, the inbox API
 * for the bell, health, and optionally the SendGrid event webhook. Mount it with `app.use(router)`.
 */
export function sitemsgRouter(sitemsg: Sitemsg, options: SitemsgRouterOptions): Router {
  const resolved = resolveRouterOptions(sitemsg, options);
  const router = express.Router();
  const views = createViews(resolved);
  const csrf = createCsrf(resolved);
  const base = resolved.basePath;

  router.use(base, (_req, res, next) => {
    // Pages carry signed tokens, CSRF tokens and personal data: never cache them.
    res.set('Cache-Control', 'no-store');
    res.set('X-Content-Type-Options', 'nosniff');
    next();
  });
  // Only the routes that act for a signed-in user ask who it is: a link from an e-mail works even
  // when the session store is down.
  router.use([`${base}/preferences`, `${base}/api`], cookieParser(), loadUser(resolved));
  mountLinks(router, sitemsg, resolved, views);
  mountPreferences(router, sitemsg, resolved, views, csrf);
  if (resolved.inbox) mountInboxApi(router, resolved.inbox, resolved, csrf);
  if (resolved.health) mountHealth(router, sitemsg, resolved.inbox, resolved);
  if (resolved.sendgridEvents) mountSendgridEvents(router, resolved.sendgridEvents, resolved);
  router.use(base, errorHandler(resolved.basePath, views));
  return router;
}

/** Answers the client's mistakes (CSRF, malformed bodies); anything else goes on to the application. */
function errorHandler(basePath: string, views: Views): ErrorRequestHandler {
  return (error: unknown, req: Request, res: Response, next: NextFunction): void => {
    const status = isCsrfError(error) ? 403 : clientErrorStatus(error);
    if (status === null || res.headersSent) {
      next(error);
      return;
    }
    const text = isCsrfError(error)
      ? 'The form expired or did not come from this site. Reload the page and try again.'
      : 'The request could not be read.';
    if (req.originalUrl.includes(`${basePath}/api/`) || req.originalUrl.includes(`${basePath}/webhooks/`)) {
      res.status(status).json({ error: isCsrfError(error) ? 'csrf' : 'bad_request', message: text });
      return;
    }
    res
      .status(status)
      .type('html')
      .send(views.page('notice', 'Request refused', { text, error: true }));
  };
}
