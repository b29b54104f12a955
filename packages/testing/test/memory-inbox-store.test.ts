import { MemoryInboxStore } from '@sitemsg/inbox';
import { inboxStoreConformance } from '../src/inbox.js';

// Two stores "on one namespace" must share data, as two processes on one database do: for the
// in-process store that means the same instance.
const stores = new Map<string, MemoryInboxStore>();

inboxStoreConformance('MemoryInboxStore', {
  async create(namespace) {
    let store = stores.get(namespace);
    if (!store) {
      store = new MemoryInboxStore();
      stores.set(namespace, store);
    }
    return store;
  },
  async destroy(namespace) {
    stores.delete(namespace);
  },
});
