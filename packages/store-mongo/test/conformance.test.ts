import { storeConformance } from '@sitemsg/testing/store';
import { type MongoTestServer, startMongoTestServer } from '@sitemsg-internal/test-servers/mongo';
import { afterAll } from 'vitest';
import { mongoHarness } from './fixtures/harness.js';

let server: Promise<MongoTestServer> | null = null;
const testServerUrl = async (): Promise<string> => {
  server ??= startMongoTestServer();
  return (await server).url;
};
afterAll(async () => {
  await (await server)?.close();
});

storeConformance('MongoStore (wire-protocol test server)', mongoHarness(testServerUrl, 'conformance'));

// A real MongoDB, whenever one is given: the only way to check claims racing on separate connections.
const realUrl = process.env.SITEMSG_MONGO_URL;
if (realUrl)
  storeConformance(
    'MongoStore (SITEMSG_MONGO_URL)',
    mongoHarness(async () => realUrl, 'sitemsg_conformance'),
  );
