// The signed links (unsubscribe, mark-read) served by any web framework: the same raw-request-in,
// response-out contract as provider webhooks, so a Fastify, Hono or plain `node:http` application
// serves them without re-implementing the URL format. express-views has richer pages of its own.
import type { LinkSubject } from './engine/link-actions.js';
import type { Sitemsg } from './engine/sitemsg.js';
import { parseSignedLink } from './signed-links.js';
import type { WebhookHandler, WebhookRequest, WebhookResponse } from './webhook.js';

/** The 1×1 transparent GIF every mark-read request gets, whatever happened. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** What a link page says; the application can word and style it (`pages` option). */
export type LinkPage =
  | { readonly kind: 'confirm'; readonly subject: LinkSubject; readonly action: string }
  | { readonly kind: 'unsubscribed'; readonly changed: boolean }
  | { readonly kind: 'refused'; readonly reason: 'invalid' | 'gone' };

export interface LinkHandlerOptions {
  /** Renders a page as HTML. Default: plain, unstyled pages. */
  readonly page?: (page: LinkPage) => string;
}

/**
 * A handler for the link URLs the engine signs, to mount at `{linkBasePath}/*` (GET and POST):
 * - `GET …/unsubscribe/…` confirms (a page with a POST button) and changes nothing — mail
 *   scanners follow links;
 * - `POST …/unsubscribe/…` unsubscribes; an RFC 8058 one-click POST
 *   (`List-Unsubscribe=One-Click`) gets a short text answer instead of a page;
 * - `GET …/mark-read/…` marks the dispatch read and always answers the pixel (no oracle).
 * A forged, altered or expired link answers 403, a link to nothing 404; nothing leaks a stack.
 */
export function createLinkHandler(sitemsg: Sitemsg, options: LinkHandlerOptions = {}): WebhookHandler {
  const render = options.page ?? defaultPage;
  return async (request) => {
    const parsed = parseSignedLink(request.url);
    if (parsed?.action === 'mark-read' || (!parsed && /\/mark-read\//.test(request.url))) {
      if (parsed && request.method === 'GET') await sitemsg.handleMarkReadLink(parsed.link);
      return {
        status: 200,
        headers: { 'content-type': 'image/gif', 'cache-control': 'no-store' },
        body: PIXEL,
      };
    }
    const oneClick = request.method === 'POST' && isOneClick(request);
    const html = (status: number, page: LinkPage): WebhookResponse => ({
      status,
      headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
      body: render(page),
    });
    if (!parsed) return html(404, { kind: 'refused', reason: 'gone' });
    if (request.method !== 'GET' && request.method !== 'POST') {
      return { status: 405, headers: { allow: 'GET, POST' } };
    }
    const result =
      request.method === 'GET'
        ? await sitemsg.verifySignedLink('unsubscribe', parsed.link)
        : await sitemsg.handleUnsubscribeLink(parsed.link);
    if (!result.ok) {
      const gone = result.error.code === 'UNKNOWN_DISPATCH';
      if (oneClick)
        return text(gone ? 404 : 403, gone ? 'This link points to nothing.' : 'This link is not valid.');
      return html(gone ? 404 : 403, { kind: 'refused', reason: gone ? 'gone' : 'invalid' });
    }
    if ('changed' in result.value) {
      const { changed } = result.value;
      if (oneClick) return text(200, changed ? 'Unsubscribed.' : 'Already unsubscribed.');
      return html(200, { kind: 'unsubscribed', changed });
    }
    return html(200, { kind: 'confirm', subject: result.value, action: pathAndQuery(request.url) });
  };
}

/** RFC 8058: a POST whose body carries `List-Unsubscribe=One-Click` (urlencoded or multipart). */
function isOneClick(request: WebhookRequest): boolean {
  const body = Buffer.from(request.rawBody).toString('utf8');
  return (
    new URLSearchParams(body).get('List-Unsubscribe') === 'One-Click' ||
    /name="?List-Unsubscribe"?\r?\n\r?\nOne-Click\r?\n/i.test(body)
  );
}

function text(status: number, body: string): WebhookResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body };
}

function pathAndQuery(url: string): string {
  const parsed = new URL(url, 'http://link.invalid');
  return `${parsed.pathname}${parsed.search}`;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function defaultPage(page: LinkPage): string {
  const body =
    page.kind === 'confirm'
      ? `<p>Stop receiving these messages at ${escapeHtml(page.subject.address)}?</p>` +
        `<form method="post" action="${escapeHtml(page.action)}"><button type="submit">Unsubscribe</button></form>`
      : page.kind === 'unsubscribed'
        ? `<p>${page.changed ? 'You have been unsubscribed.' : 'You were already unsubscribed.'}</p>`
        : `<p>${page.reason === 'gone' ? 'This link points to a message that no longer exists.' : 'This link is not valid: it may have been altered, or it has expired.'}</p>`;
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>Unsubscribe</title></head><body>${body}</body></html>`;
}
