import '@sitemsg-internal/test-servers/mongo';
import { MongoClient } from 'mongodb';
import { afterAll, inject } from 'vitest';

/** A real MongoDB to run the same tests against as well, when one is given. */
export const realMongoUrl: string | undefined = process.env.SITEMSG_MONGO_URL;

/**
 * One client on the MongoDB test server for a test file (closed after the file), and a database
 * of its own. Each file calls it once at the top level.
 */
export function testMongo(label: string): { client: MongoClient; dbName: string; url: string } {
  const url = inject('mongoUrl');
  const client = new MongoClient(url);
  afterAll(() => client.close());
  return { client, dbName: `inbox_${label}`, url };
}

/** Drops the collections a file created on a real server, whose data outlives the run. */
export function dropAfterAll(url: string, dbName: string, prefix: string): void {
  afterAll(async () => {
    const client = new MongoClient(url);
    try {
      const db = client.db(dbName);
      for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
        if (name.startsWith(prefix)) await db.dropCollection(name);
      }
    } finally {
      await client.close();
    }
  });
}
