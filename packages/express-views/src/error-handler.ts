import type { ErrorRequestHandler, NextFunction, Request, Response } from 'express';
import { clientErrorStatus, codeOf, isConfigurationError, isCsrfError } from './errors.js';
import type { ResolvedRouterOptions } from './options.js';
import { sendPixel } from './tracking-pixel.js';
import type { Views } from './views.js';

const MISCONFIGURED = 'sitemsg is misconfigured on this site; the details are in the server log.';

/**
 * Answers what the router owns, each route in its own format and never with a stack trace: the
 * client's mistakes (CSRF, a malformed body, a malformed percent-encoded path) and a broken setup
 * (a ConfigurationError, logged). Anything else goes on to the application's error handler.
 */
export function errorHandler(options: ResolvedRouterOptions, views: Views): ErrorRequestHandler {
  return (error: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) {
      next(error);
      return;
    }
    // Mounted at basePath: req.path is what follows it.
    const json = req.path.startsWith('/api/') || req.path.startsWith('/webhooks/');
    if (isConfigurationError(error)) {
      options.logger.error?.((error as Error).message, { code: codeOf(error), error });
      if (json) res.status(500).json({ error: 'server_error', message: MISCONFIGURED });
      else
        res
          .status(500)
          .type('html')
          .send(views.page('notice', 'Server error', { text: MISCONFIGURED, error: true }));
      return;
    }
    const status = isCsrfError(error) ? 403 : clientErrorStatus(error);
    if (status === null) {
      next(error);
      return;
    }
    // A mail client cannot show an error: the pixel route answers the pixel, whatever happened.
    if (req.path.startsWith('/mark-read/') && req.method === 'GET') {
      sendPixel(res);
      return;
    }
    const text = isCsrfError(error)
      ? 'The form expired or did not come from this site. Reload the page and try again.'
      : req.path.startsWith('/unsubscribe/')
        ? 'This link is not valid: it may have been cut short or altered.'
        : 'The request could not be read.';
    if (json) {
      res.status(status).json({ error: isCsrfError(error) ? 'csrf' : 'bad_request', message: text });
      return;
    }
    res
      .status(status)
      .type('html')
      .send(views.page('notice', 'Request refused', { text, error: true }));
  };
}
