export { sitemsgDriver } from './driver.js';
export { MongoStore } from './mongo-store.js';
export type { MongoStoreConnection, MongoStoreOptions } from './options.js';
