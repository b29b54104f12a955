import type { Sitemsg } from '@sitemsg/core';
import express, { type Router } from 'express';
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
      const raw: unknown = (req.body as Record<string, unknown>).pref;
      const selected = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
      const bad = () =>
        res
          .status(400)
          .type('html')
          .send(
            views.page('notice', TITLE, {
              text: 'The form contained a choice that is not offered.',
              error: true,
            }),
          );
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
