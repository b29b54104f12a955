export type { InboxMessageJson } from './inbox-api.js';
export type {
  CsrfOptions,
  InboxLike,
  PageParts,
  SitemsgRouterOptions,
  WebhookHandler,
  WebhookHeaders,
} from './options.js';
export { sitemsgRouter } from './router.js';
