export type { InboxMessageJson } from './inbox-api.js';
export type {
  CsrfOptions,
  HealthOptions,
  InboxLike,
  PageParts,
  ReadinessOptions,
  SitemsgRouterOptions,
} from './options.js';
export { sitemsgRouter } from './router.js';
