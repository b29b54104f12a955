import type { InboxStore } from '@sitemsg/inbox';
import { type StoreSession, session } from '../store/harness.js';

/** How the inbox store suite gets stores: see the package README. */
export interface InboxStoreHarness {
  /**
   * Returns an inbox store (not yet initialised: the suite calls `init()`) on the namespace
   * `namespace` (a Postgres schema, a Mongo collection prefix, ...). Called once or several times
   * per test with the SAME namespace to get several stores sharing one database, like several
   * application processes would. The first call for a namespace gets an empty one.
   */
  create(namespace: string): Promise<InboxStore>;
  /** Removes everything of the namespace after the test (stores are already closed). */
  destroy?(namespace: string): Promise<void>;
}

/** Starts a session of inbox stores for the running test; they are closed when it finishes. */
export function inboxSession(harness: InboxStoreHarness): StoreSession<InboxStore> {
  return session(harness);
}
