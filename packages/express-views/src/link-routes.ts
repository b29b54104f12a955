import {
  type LinkAction,
  type LinkError,
  type LinkSubject,
  parseSignedLink,
  type SignedLink,
  type Sitemsg,
} from '@sitemsg/core';
import express, { type Request, type Response, type Router } from 'express';
import { codeOf } from './errors.js';
import type { ResolvedRouterOptions } from './options.js';
import { sendPixel } from './tracking-pixel.js';
import type { Views } from './views.js';

const LINK = '/:messageId/:dispatchId/:token';

/** Unsubscribe (GET confirms, POST acts, RFC 8058 one-click) and the mark-read pixel. */
export function mountLinks(
  router: Router,
  sitemsg: Sitemsg,
  options: ResolvedRouterOptions,
  views: Views,
): void {
  const base = options.basePath;
  const page = (res: Response, status: number, title: string, text: string, error = false) =>
    res
      .status(status)
      .type('html')
      .send(views.page('notice', title, { text, error }));
  const refuse = (req: Request, res: Response, error: LinkError | null) => {
    const missing = error !== null && codeOf(error) === 'UNKNOWN_DISPATCH';
    const status = missing ? 404 : 403;
    const text = missing
      ? 'This link points to a message that no longer exists.'
      : 'This link is not valid: it may have been altered, or it has expired.';
    if (isOneClick(req)) return res.status(status).type('text').send(text);
    return page(res, status, 'Link not valid', text, true);
  };

  router.get(`${base}/unsubscribe${LINK}`, async (req, res) => {
    const link = parseLink(req, 'unsubscribe');
    const verified = link ? await sitemsg.verifySignedLink('unsubscribe', link) : null;
    if (!link || !verified?.ok) return refuse(req, res, verified && !verified.ok ? verified.error : null);
    const about = describeSubject(sitemsg, verified.value);
    res
      .type('html')
      .send(views.page('confirm-unsubscribe', 'Unsubscribe', { ...about, action: req.originalUrl }));
  });

  router.post(
    `${base}/unsubscribe${LINK}`,
    express.urlencoded({ extended: false, limit: '4kb' }),
    express.text({ type: 'multipart/form-data', limit: '4kb' }),
    async (req, res) => {
      const link = parseLink(req, 'unsubscribe');
      const outcome = link ? await sitemsg.handleUnsubscribeLink(link) : null;
      if (!link || !outcome?.ok) return refuse(req, res, outcome && !outcome.ok ? outcome.error : null);
      const { changed } = outcome.value;
      if (isOneClick(req)) return res.type('text').send(changed ? 'Unsubscribed.' : 'Already unsubscribed.');
      return changed
        ? page(
            res,
            200,
            'Unsubscribed',
            'You have been unsubscribed. You will not receive these messages any more.',
          )
        : page(res, 200, 'Already unsubscribed', 'You were already unsubscribed: nothing changed.');
    },
  );

  // Always the pixel, whatever happened: a mail client cannot show an error, and a different
  // answer for a bad signature would be an oracle.
  router.get(`${base}/mark-read${LINK}`, async (req, res) => {
    const link = parseLink(req, 'mark-read');
    if (link) {
      await sitemsg.handleMarkReadLink(link).catch((error: unknown) => {
        options.logger.error?.(`[sitemsg] [express-views] mark-read failed: ${String(error)}`);
      });
    }
    sendPixel(res);
  });
}

/** The link in the request's URL (path and query, as core's parser reads any framework's), or null. */
function parseLink(req: Request, action: LinkAction): SignedLink | null {
  const parsed = parseSignedLink(req.originalUrl);
  return parsed?.action === action ? parsed.link : null;
}

/** RFC 8058: a POST whose body carries `List-Unsubscribe=One-Click` (urlencoded or multipart). */
function isOneClick(req: Request): boolean {
  if (req.method !== 'POST') return false;
  const body: unknown = req.body;
  if (typeof body === 'string') return /name="?List-Unsubscribe"?\r?\n\r?\nOne-Click\r?\n/i.test(body);
  return (
    typeof body === 'object' &&
    body !== null &&
    (body as Record<string, unknown>)['List-Unsubscribe'] === 'One-Click'
  );
}

/** What the confirmation page names: from the verified link, so it works after cleanup too. */
function describeSubject(
  sitemsg: Sitemsg,
  subject: LinkSubject,
): { address: string; typeTitle: string; messengerTitle: string } {
  const { messageType, messenger, address } = subject;
  return {
    address,
    typeTitle: titleOr(() => sitemsg.getRegisteredMessageType(messageType).title, messageType),
    messengerTitle: titleOr(() => sitemsg.getRegisteredMessengerObject(messenger).title, messenger),
  };
}

function titleOr(read: () => string, fallback: string): string {
  try {
    return read() || fallback;
  } catch {
    return fallback;
  }
}
