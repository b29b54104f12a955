export type { InboxMessageJson } from './inbox-api-routes.js';
export type {
  CsrfOptions,
  HealthOptions,
  InboxLike,
  PageParts,
  ReadinessOptions,
  SitemsgRouterOptions,
} from './options.js';
export { sitemsgRouter } from './router.js';
