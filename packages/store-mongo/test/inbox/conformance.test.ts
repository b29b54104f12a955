import { inboxStoreConformance } from '@sitemsg/testing/inbox';
import { type MongoTestServer, startMongoTestServer } from '@sitemsg-internal/test-servers/mongo';
import { MongoClient } from 'mongodb';
import { afterAll } from 'vitest';
import { MongoInboxStore } from '../../src/inbox/index.js';

let server: Promise<MongoTestServer> | null = null;
const testServerUrl = async (): Promise<string> => {
  server ??= startMongoTestServer();
  return (await server).url;
};
afterAll(async () => {
  await (await server)?.close();
});

/** Each store has its own client (its own connections, like another process); a namespace is a prefix. */
function harness(url: () => Promise<string>, dbName: string) {
  return {
    async create(namespace: string) {
      return new MongoInboxStore({ url: await url(), dbName }, { collectionPrefix: `${namespace}_` });
    },
    async destroy(namespace: string) {
      const client = new MongoClient(await url());
      try {
        const db = client.db(dbName);
        const names = await db.listCollections({}, { nameOnly: true }).toArray();
        for (const { name } of names) if (name.startsWith(`${namespace}_`)) await db.dropCollection(name);
      } finally {
        await client.close();
      }
    },
  };
}

inboxStoreConformance(
  'MongoInboxStore (wire-protocol test server)',
  harness(testServerUrl, 'inbox_conformance'),
);

// A real MongoDB, whenever one is given: the test server runs one command at a time.
const realUrl = process.env.SITEMSG_MONGO_URL;
if (realUrl) {
  inboxStoreConformance(
    'MongoInboxStore (SITEMSG_MONGO_URL)',
    harness(async () => realUrl, 'sitemsg_conformance'),
  );
}
