import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ResolvedRouterOptions } from './options.js';
import { userOf } from './user.js';
import type { Views } from './views.js';

/** Pages: without a user, redirect to `loginUrl` (with `next`) or answer 401. */
export function requirePageUser(options: ResolvedRouterOptions, views: Views): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (userOf(req)) {
      next();
      return;
    }
    if (options.loginUrl) {
      const separator = options.loginUrl.includes('?') ? '&' : '?';
      res.redirect(303, `${options.loginUrl}${separator}next=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    res
      .status(401)
      .type('html')
      .send(
        views.page('notice', 'Sign in required', { text: 'Please sign in to see this page.', error: true }),
      );
  };
}

/** The JSON API: 401 without a user. */
export function requireApiUser(req: Request, res: Response, next: NextFunction): void {
  if (userOf(req)) {
    next();
    return;
  }
  res.status(401).json({ error: 'unauthorized', message: 'Sign in to use the inbox.' });
}
