import { doubleCsrf } from 'csrf-csrf';
import type { Request, RequestHandler, Response } from 'express';
import type { AccountOptions } from './options.js';
import { userIdOf } from './user.js';

export interface Csrf {
  /** Rejects a state-changing request whose token (header `x-csrf-token` or field `_csrf`) does not match its cookie. */
  readonly protect: RequestHandler;
  /** A token for a form or the bell's script; sets the cookie it is checked against. */
  token(req: Request, res: Response): string;
}

/**
 * Double-submit CSRF tokens from csrf-csrf, bound to the signed-in user, so a token taken from
 * one account is refused for another.
 */
export function createCsrf(accounts: AccountOptions, basePath: string): Csrf {
  const { secret, cookieName = 'sitemsg_csrf', secureCookie = true } = accounts.csrf;
  const cookieOptions = { sameSite: 'strict', secure: secureCookie, httpOnly: true } as const;
  const { doubleCsrfProtection, generateCsrfToken } = doubleCsrf({
    getSecret: () => secret,
    getSessionIdentifier: (req) => userIdOf(req) ?? '',
    cookieName,
    cookieOptions: { ...cookieOptions, path: basePath },
    getCsrfTokenFromRequest: (req) => {
      const header = req.headers['x-csrf-token'];
      if (typeof header === 'string') return header;
      const field: unknown = (req.body as Record<string, unknown> | undefined)?._csrf;
      return typeof field === 'string' ? field : null;
    },
  });
  return {
    protect: doubleCsrfProtection,
    // The cookie is scoped to the routes, wherever the application mounted the router.
    token: (req, res) =>
      generateCsrfToken(req, res, {
        cookieOptions: { ...cookieOptions, path: `${req.baseUrl}${basePath}` },
      }),
  };
}
