import { ManualClock } from '@sitemsg/core';
import { InboxService, type InboxServiceOptions, type InboxStore, MemoryInboxStore } from '../src/index.js';

/**
 * A service on a new memory store and a manual clock. The database stores run the service on
 * top of them in the inbox store suite (`@sitemsg/testing/inbox`), in their own packages.
 */
export function service(options: Omit<InboxServiceOptions, 'store' | 'clock'> = {}): {
  inbox: InboxService;
  clock: ManualClock;
  store: InboxStore;
} {
  const clock = new ManualClock(new Date('2026-03-01T12:00:00Z'));
  const store = new MemoryInboxStore();
  return { inbox: new InboxService({ store, clock, ...options }), clock, store };
}
