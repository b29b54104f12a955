import { MemoryStore } from '@sitemsg/core';
import type { Store } from '@sitemsg/core/plugin';
import { storeConformance } from '../src/store.js';

// Two stores "on one namespace" must share data, as two workers on one database do: for the
// in-process store that means the same instance.
const stores = new Map<string, Store>();

storeConformance('MemoryStore', {
  async create(namespace) {
    let store = stores.get(namespace);
    if (!store) {
      store = new MemoryStore();
      stores.set(namespace, store);
    }
    return store;
  },
  async destroy(namespace) {
    stores.delete(namespace);
  },
});
