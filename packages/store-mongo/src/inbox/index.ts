// `@sitemsg/store-mongo/inbox`: the inbox of `@sitemsg/inbox` on MongoDB. Its own entry, so that
// an application without the inbox never loads (or installs) `@sitemsg/inbox`.
export { sitemsgDriver } from './driver.js';
export { MongoInboxStore } from './mongo-inbox-store.js';
