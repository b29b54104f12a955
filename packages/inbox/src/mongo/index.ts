export type { MongoInboxStoreConnection, MongoInboxStoreOptions } from './options.js';
export { MongoInboxStore } from './store.js';
