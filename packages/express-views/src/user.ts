import type { SitemsgUser } from '@sitemsg/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ResolvedRouterOptions } from './options.js';

const users = new WeakMap<Request, SitemsgUser | null>();

/** Resolves `getUser(req)` once per request, before CSRF checks (tokens are bound to the user). */
export function loadUser(options: ResolvedRouterOptions): RequestHandler {
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    try {
      if (!users.has(req)) users.set(req, (await options.getUser(req)) ?? null);
      next();
    } catch (error) {
      next(error);
    }
  };
}

export function userOf(req: Request): SitemsgUser | null {
  return users.get(req) ?? null;
}

/** The user id as inbox and preferences know it. */
export function userIdOf(req: Request): string | null {
  const user = userOf(req);
  return user ? String(user.id) : null;
}
