import { randomBytes } from 'node:crypto';
import { MemoryInboxStore, PostgresInboxStore } from '../src/index.js';
import { MongoInboxStore } from '../src/mongo/index.js';
import { inboxStoreConformance } from '../src/testing/index.js';
import { dropAfterAll, realMongoUrl, testMongo } from './mongo.js';
import { testSchema } from './pg.js';

const { pool, schema } = testSchema('conformance');
const mongo = testMongo('conformance');
let n = 0;

inboxStoreConformance('memory', () => new MemoryInboxStore());
// Each test gets its own table (a fresh prefix) in this file's schema.
inboxStoreConformance('postgres', () => new PostgresInboxStore({ pool, schema, tablePrefix: `t${++n}_` }));
// Each test its own collection; a URL, so each store owns (and closes) its client.
inboxStoreConformance(
  'mongo (wire-protocol test server)',
  () => new MongoInboxStore({ url: mongo.url, dbName: mongo.dbName }, { collectionPrefix: `t${++n}_` }),
);

// A real MongoDB, whenever one is given: the test server runs one command at a time.
if (realMongoUrl !== undefined) {
  const url = realMongoUrl;
  const prefix = `inbox_${randomBytes(4).toString('hex')}_`;
  dropAfterAll(url, 'sitemsg_conformance', prefix);
  inboxStoreConformance(
    'mongo (SITEMSG_MONGO_URL)',
    () =>
      new MongoInboxStore({ url, dbName: 'sitemsg_conformance' }, { collectionPrefix: `${prefix}${++n}_` }),
  );
}
