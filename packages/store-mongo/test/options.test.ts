import { createSitemsg } from '@sitemsg/core';
import { ConfigurationError, StoreError, ValidationError } from '@sitemsg/core/plugin';
import { type MongoTestServer, startMongoTestServer } from '@sitemsg-internal/test-servers/mongo';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoStore, sitemsgDriver } from '../src/index.js';
import { SinkMessenger } from './fixtures/sink-messenger.js';
import { waitFor } from './fixtures/wait.js';

let server: MongoTestServer;

beforeAll(async () => {
  server = await startMongoTestServer();
});
afterAll(async () => {
  await server.close();
});

describe('configuration', () => {
  it('refuses prefixes, database names and URLs MongoDB cannot use, before connecting', () => {
    const url = 'mongodb://127.0.0.1:1';
    expect(() => new MongoStore({ url, dbName: 'ok' }, { collectionPrefix: 'a$b' })).toThrow(
      ConfigurationError,
    );
    expect(() => new MongoStore({ url, dbName: 'ok' }, { collectionPrefix: 'system.x' })).toThrow(
      ConfigurationError,
    );
    expect(() => new MongoStore({ url, dbName: 'bad.name' })).toThrow(ConfigurationError);
    expect(() => new MongoStore({ url, dbName: '' })).toThrow(ConfigurationError);
    expect(() => new MongoStore({ url: 'postgres://x', dbName: 'ok' })).toThrow(ConfigurationError);
  });

  it('refuses a store option in the connection, and connection keys or unknown keys in the options', () => {
    const url = 'mongodb://127.0.0.1:1';
    const misplaced = (): MongoStore =>
      new MongoStore({ url, dbName: 'ok', collectionPrefix: 'app_' } as never);
    expect(misplaced).toThrow(ConfigurationError);
    expect(misplaced).toThrow(
      '[sitemsg] [mongo] "collectionPrefix" belongs in the second argument (store options), not the connection',
    );
    expect(() => new MongoStore({ url, dbName: 'ok', maxPoolSize: 5 } as never)).toThrow(
      /Unknown key "maxPoolSize" in the connection \(first argument\).*URL's query string/,
    );
    expect(() => new MongoStore({ url, dbName: 'ok', client: new MongoClient(url) } as never)).toThrow(
      /either client or url in the connection, not both/,
    );
    for (const key of ['url', 'client', 'dbName']) {
      expect(() => new MongoStore({ url, dbName: 'ok' }, { [key]: 'x' } as never)).toThrow(
        `"${key}" belongs in the first argument (the connection), not the store options`,
      );
    }
    expect(() => new MongoStore({ url, dbName: 'ok' }, { colectionPrefix: 'x' } as never)).toThrow(
      /Unknown option "colectionPrefix": the store options are collectionPrefix/,
    );
    expect(() => new MongoStore({ url, dbName: 'ok' }, null as never)).toThrow(ConfigurationError);
  });

  it('names its collections with the prefix (default sitemsg_)', async () => {
    const client = new MongoClient(server.url);
    try {
      for (const store of [
        new MongoStore({ client, dbName: 'names' }),
        new MongoStore({ client, dbName: 'names' }, { collectionPrefix: 'app1_' }),
      ]) {
        await store.init();
        await store.close();
      }
      const names = (await client.db('names').listCollections().toArray()).map((c) => c.name).sort();
      expect(names).toEqual(
        ['batches', 'counters', 'dispatches', 'feedback', 'messages', 'subscriptions', 'suppressions']
          .flatMap((n) => [`app1_${n}`, `sitemsg_${n}`])
          .sort(),
      );
    } finally {
      await client.close();
    }
  });

  it('builds from configuration through sitemsgDriver, refusing unknown options', async () => {
    expect(() =>
      sitemsgDriver.create(
        { url: server.url, dbName: 'cfg', colectionPrefix: 'x' },
        { name: 'mongo', primary: true },
      ),
    ).toThrow(/colectionPrefix/);
    const store = sitemsgDriver.create(
      { url: server.url, dbName: 'cfg', collectionPrefix: 'c_' },
      { name: 'mongo', primary: true },
    );
    expect(store).toBeInstanceOf(MongoStore);
    await store.init?.();
    expect((await store.healthCheck?.())?.status).toBe('healthy');
    await store.close?.();
  });
});

describe('scheduling options', () => {
  it('refuses a transactional-outbox client instead of ignoring it', async () => {
    const store = new MongoStore({ url: server.url, dbName: 'outbox' });
    const sitemsg = createSitemsg({ store, messengers: [new SinkMessenger(null, 'app')] });
    const to = sitemsg.recipients('sink', 'ada@example.test');
    await expect(sitemsg.scheduleMessages('hi', to, { client: {} })).rejects.toThrow(/not supported/);
    await expect(sitemsg.scheduleMessages('hi', to, { client: {} })).rejects.toBeInstanceOf(ValidationError);
    expect(await store.countDispatches()).toMatchObject({ pending: 0 });
    await sitemsg.close();
  });
});

describe('lifecycle', () => {
  it("never closes the application's client; closes the one it created from a URL", async () => {
    const client = new MongoClient(server.url);
    try {
      const shared = new MongoStore({ client, dbName: 'life' });
      await shared.init();
      await shared.close();
      expect((await client.db('life').command({ ping: 1 })).ok).toBe(1);

      const withShared = server.openConnections();
      const own = new MongoStore({ url: server.url, dbName: 'life' });
      const sitemsg = createSitemsg({ store: own });
      await sitemsg.init();
      expect(server.openConnections()).toBeGreaterThan(withShared);
      await sitemsg.close();
      expect(await waitFor(async () => server.openConnections() === withShared, 5000)).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('reports health, and an unreachable server as a StoreError without the connection string', async () => {
    const gone = await startMongoTestServer();
    const url = gone.url.replace('mongodb://', 'mongodb://user:s3cret@');
    const store = new MongoStore({ url: `${url}&serverSelectionTimeoutMS=300`, dbName: 'health' });
    await gone.close();
    const failure = await store.init().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StoreError);
    expect(String((failure as Error).message)).not.toContain('s3cret');
    expect((await store.healthCheck()).status).toBe('unhealthy');
    await store.close();
  });
});
