import { ConfigurationError, type SitemsgUser } from '@sitemsg/core/plugin';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AccountOptions } from './options.js';

const users = new WeakMap<Request, SitemsgUser | null>();

/**
 * Resolves `getUser(req)` once per request, before CSRF checks (tokens are bound to the user).
 * A user without a usable id is a ConfigurationError: `String(user.id)` would otherwise file every
 * such user (a Mongo `{ _id }`, an empty id) under one "undefined" inbox and one set of preferences.
 */
export function loadUser(accounts: AccountOptions): RequestHandler {
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    try {
      if (!users.has(req)) users.set(req, checked(await accounts.getUser(req)));
      next();
    } catch (error) {
      next(error);
    }
  };
}

function checked(user: SitemsgUser | null | undefined): SitemsgUser | null {
  if (user === null || user === undefined) return null;
  const id: unknown = typeof user === 'object' ? user.id : undefined;
  if ((typeof id === 'string' && id !== '') || (typeof id === 'number' && Number.isFinite(id))) return user;
  throw new ConfigurationError(
    `[sitemsg] [express-views] getUser(req) returned a user without a usable id (${describe(user)}): return { id } with a non-empty string or a finite number (e.g. { ...user, id: String(user._id) }), or null when nobody is signed in.`,
  );
}

/** What came back, without its values (they may be personal data). */
function describe(user: unknown): string {
  if (typeof user !== 'object') return `a ${typeof user}`;
  const id: unknown = (user as Record<string, unknown>).id;
  const keys = Object.keys(user as object).slice(0, 8);
  return `id is ${id === '' ? 'an empty string' : Number.isNaN(id) ? 'NaN' : id === null ? 'null' : `a ${typeof id}`}; keys: ${keys.join(', ') || 'none'}`;
}

export function userOf(req: Request): SitemsgUser | null {
  return users.get(req) ?? null;
}

/** The user id as inbox and preferences know it. */
export function userIdOf(req: Request): string | null {
  const user = userOf(req);
  return user ? String(user.id) : null;
}
