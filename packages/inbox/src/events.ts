import type { EventHandler, SitemsgEventMap } from '@sitemsg/core/plugin';

/** The two inbox events, declared by core's SitemsgEventMap. */
export type InboxEventName = 'inbox:created' | 'inbox:read';

/**
 * Where the service emits its events: a sitemsg engine (`createSitemsg()`), so that one
 * `sitemsg.on('inbox:read', ...)` sees them, or the service's own bus when no engine is given.
 */
export interface InboxEventTarget {
  on<K extends keyof SitemsgEventMap>(event: K, handler: EventHandler<K>): () => void;
  emit<K extends keyof SitemsgEventMap>(event: K, payload: SitemsgEventMap[K]): void;
}
