import type { Sitemsg } from '@sitemsg/core';
import express, { type Response, type Router } from 'express';
import type { Csrf } from './csrf.js';
import { isBadInput } from './errors.js';
import { requirePageUser } from './guards.js';
import type { ResolvedRouterOptions } from './options.js';
import { userOf } from './user.js';
import type { Views } from './views.js';

const TITLE = 'Notification preferences';

/** The preferences table (message types × messengers) as a plain HTML form that works without JavaScript. */
export function mountPreferences(
  router: Router,
  sitemsg: Sitemsg,
  options: ResolvedRouterOptions,
  views: Views,
  csrf: Csrf,
): void {
  const path = `${options.basePath}/preferences`;
  const needUser = requirePageUser(options, views);
  const refuse = (res: Response, status: number, text: string) =>
    res
      .status(status)
      .type('html')
      .send(views.page('notice', TITLE, { text, error: true }));

  router.get(path, needUser, async (req, res) => {
    const table = await sitemsg.getUserPreferencesForUi(userOf(req)!, options.preferences);
    res.type('html').send(
      views.page('preferences', TITLE, {
        table,
        csrfToken: csrf.token(req, res),
        action: req.originalUrl.split('?')[0],
        saved: req.query.saved === '1',
      }),
    );
  });

  router.post(
    path,
    needUser,
    express.urlencoded({ extended: false, limit: '64kb' }),
    csrf.protect,
    async (req, res) => {
      // The form posts urlencoded; a JSON or text body (a script, a misrouted client) is not it.
      const chunked = req.headers['transfer-encoding'] !== undefined;
      if (!chunked && Number(req.headers['content-length'] ?? 0) === 0) {
        return refuse(res, 400, 'The form was empty: reload the page and try again.');
      }
      if (!req.is('application/x-www-form-urlencoded') || typeof req.body !== 'object' || req.body === null) {
        return refuse(res, 415, 'Send the form as application/x-www-form-urlencoded.');
      }
      const raw: unknown = (req.body as Record<string, unknown>).pref;
      const selected = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
      const bad = () => refuse(res, 400, 'The form contained a choice that is not offered.');
      if (!selected.every((value): value is string => typeof value === 'string')) return bad();
      try {
        await sitemsg.setUserPreferences(userOf(req)!, selected, options.preferences);
      } catch (error) {
        if (isBadInput(error)) return bad();
        throw error;
      }
      // Post/redirect/get: a reload does not post the form again.
      res.redirect(303, `${req.originalUrl.split('?')[0]}?saved=1`);
    },
  );
}
