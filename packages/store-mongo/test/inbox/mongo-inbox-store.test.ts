import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManualClock } from '@sitemsg/core';
import { ConfigurationError, StoreError } from '@sitemsg/core/plugin';
import { InboxMessenger, InboxService, type NewInboxMessage } from '@sitemsg/inbox';
import { type MongoTestServer, startMongoTestServer } from '@sitemsg-internal/test-servers/mongo';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { MongoInboxStore, sitemsgDriver } from '../../src/inbox/index.js';

// This file's own server: it injects faults and counts connections.
let server: MongoTestServer;
let client: MongoClient;
let n = 0;

beforeAll(async () => {
  server = await startMongoTestServer();
  client = new MongoClient(server.url);
});
afterAll(async () => {
  await client.close();
  await server.close();
});

const DB = 'inbox_store';
const T0 = new Date('2026-04-01T00:00:00Z');

async function open(): Promise<MongoInboxStore> {
  const store = new MongoInboxStore({ client, dbName: DB }, { collectionPrefix: `m${++n}_` });
  await store.init();
  onTestFinished(() => store.close());
  return store;
}

function msg(id: string, userId: string, extra: Partial<NewInboxMessage> = {}): NewInboxMessage {
  return { id, userId, title: id, body: '', metadata: {}, createdAt: T0, idempotencyKey: null, ...extra };
}

describe('MongoInboxStore configuration', () => {
  const url = 'mongodb://127.0.0.1:1';

  it('accepts only collection prefixes usable in a collection name, before any connection', () => {
    for (const bad of ['a$b', 'has space', 'system.', 'x'.repeat(65), 'nul\0']) {
      expect(() => new MongoInboxStore({ url, dbName: 'd' }, { collectionPrefix: bad })).toThrow(
        /^\[sitemsg\] \[mongo\] collectionPrefix .* is not usable in a collection name/,
      );
    }
    for (const good of ['', 'app.v2-', 'Tenant_1_']) {
      const store = new MongoInboxStore({ url, dbName: 'd' }, { collectionPrefix: good });
      expect(store.collectionName).toBe(`${good}inbox_messages`);
    }
    expect(new MongoInboxStore({ url, dbName: 'd' }).collectionName).toBe('sitemsg_inbox_messages');
  });

  it('needs exactly one of client and url, a database name, and knows its options', () => {
    const wrong: unknown[] = [
      null,
      { dbName: 'd' },
      { client, url, dbName: 'd' },
      { client: {}, dbName: 'd' },
      { url: 'postgres://x', dbName: 'd' },
      { url, dbName: 'has space' },
      { url, dbName: 'a.b' },
      { url },
    ];
    for (const connection of wrong) {
      expect(() => new MongoInboxStore(connection as never)).toThrow(ConfigurationError);
    }
    expect(() => new MongoInboxStore({ url, dbName: 'd' }, { colectionPrefix: 'x' } as never)).toThrow(
      /Unknown option "colectionPrefix": the store options are collectionPrefix/,
    );
    expect(() => new MongoInboxStore({ url, dbName: 'd', collectionPrefix: 'x_' } as never)).toThrow(
      /"collectionPrefix" belongs in the second argument .*: new MongoInboxStore\(\{ url, dbName \}, \{ collectionPrefix \}\)/,
    );
    expect(() => new MongoInboxStore({ url, dbName: 'd' }, { dbName: 'other' } as never)).toThrow(
      /"dbName" belongs in the first argument \(the connection\).*: new MongoInboxStore\(\{ dbName, \.\.\. \}/,
    );
  });
});

describe('MongoInboxStore migrations', () => {
  it('creates the page, idempotency and retention indexes, also when two processes migrate at once', async () => {
    const prefix = `mig${++n}_`;
    const a = new MongoInboxStore({ client, dbName: DB }, { collectionPrefix: prefix });
    const b = new MongoInboxStore({ url: server.url, dbName: DB }, { collectionPrefix: prefix });
    onTestFinished(async () => {
      await a.close();
      await b.close();
    });
    await Promise.all([a.migrate(), b.migrate()]);
    await a.migrate();
    const indexes = await client.db(DB).collection(`${prefix}inbox_messages`).listIndexes().toArray();
    expect(
      indexes.map(({ name, key, unique, partialFilterExpression }) => ({
        name,
        key,
        unique,
        partialFilterExpression,
      })),
    ).toEqual([
      { name: '_id_', key: { _id: 1 }, unique: undefined, partialFilterExpression: undefined },
      {
        name: 'sitemsg_inbox_user_created',
        key: { userId: 1, createdAt: -1, _id: -1 },
        unique: undefined,
        partialFilterExpression: undefined,
      },
      {
        name: 'sitemsg_inbox_user_key',
        key: { userId: 1, idempotencyKey: 1 },
        unique: true,
        partialFilterExpression: { idempotencyKey: { $type: 'string' } },
      },
      {
        name: 'sitemsg_inbox_created',
        key: { createdAt: 1 },
        unique: undefined,
        partialFilterExpression: undefined,
      },
    ]);
  });
});

describe('MongoInboxStore behaviour', () => {
  it('reports a failed write as a StoreError and changes nothing', async () => {
    const store = await open();
    await store.insert(msg('m', 'u'));
    server.inject({ command: 'update', kind: 'error' });
    const error = await store.markRead('m', 'u', T0).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(String((error as Error).message)).toMatch(
      /^\[sitemsg\] \[mongo\] marking an inbox message read failed/,
    );
    expect(await store.get('m')).toMatchObject({ read: false });
    expect(await store.markRead('m', 'u', T0)).toBe('changed');
  });

  it('closes a client it created, and never the application’s', async () => {
    const shared = new MongoInboxStore({ client, dbName: DB }, { collectionPrefix: `c${++n}_` });
    await shared.init();
    await shared.close();
    expect(await client.db(DB).command({ ping: 1 })).toMatchObject({ ok: 1 });

    const before = server.openConnections();
    const own = new MongoInboxStore({ url: server.url, dbName: DB }, { collectionPrefix: `c${++n}_` });
    await own.init();
    expect(server.openConnections()).toBeGreaterThan(before);
    await own.close();
    let closed = false;
    for (let i = 0; i < 200 && !closed; i++) {
      closed = server.openConnections() <= before;
      if (!closed) await new Promise((r) => setImmediate(r));
    }
    expect(closed).toBe(true);
  });

  it('fails an unreachable server with a StoreError that hides the password, and health says unhealthy', async () => {
    const gone = await startMongoTestServer();
    await gone.close();
    const url = `mongodb://inbox:s3cret-pw@127.0.0.1:${gone.port}/?directConnection=true&serverSelectionTimeoutMS=300`;
    const store = new MongoInboxStore({ url, dbName: DB });
    const error = await store.init().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(String((error as Error).message)).not.toContain('s3cret-pw');
    const inbox = new InboxService({ store, clock: new ManualClock(T0) });
    const health = await inbox.healthCheck();
    expect(health.status).toBe('unhealthy');
    expect(JSON.stringify(health)).not.toContain('s3cret-pw');
    await inbox.close().catch(() => undefined);
  });
});

describe('sitemsgDriver of @sitemsg/store-mongo/inbox', () => {
  const ctx = { name: 'bell', primary: false };

  it('creates the inbox messenger on MongoDB from a configuration', async () => {
    const messenger = sitemsgDriver.create(
      { url: server.url, dbName: DB, collectionPrefix: 'driver_', maxPageSize: '10' },
      ctx,
    ) as InboxMessenger;
    expect(messenger).toBeInstanceOf(InboxMessenger);
    expect(messenger.inbox.store).toBeInstanceOf(MongoInboxStore);
    expect(messenger.inbox.maxPageSize).toBe(10);
    await messenger.init();
    await messenger.inbox.send('u1', 't', 'b');
    expect(await client.db(DB).collection('driver_inbox_messages').countDocuments({ userId: 'u1' })).toBe(1);
    await messenger.close();
  });

  it('fails at start-up on a missing, unknown or bad option', () => {
    expect(() => sitemsgDriver.create({ url: 'mongodb://127.0.0.1:1' }, ctx)).toThrow(
      /^\[sitemsg\] \[bell\] dbName is required for the inbox on MongoDB\.$/,
    );
    expect(() =>
      sitemsgDriver.create({ url: 'mongodb://127.0.0.1:1', dbName: 'd', schema: 'x' }, ctx),
    ).toThrow(
      /unknown inbox option "schema" \(known: maxPageSize, retentionDays, title, url, dbName, collectionPrefix\)/,
    );
    expect(() => sitemsgDriver.create({ url: 'postgres://x', dbName: 'd' }, ctx)).toThrow(
      /url must be a MongoDB connection string/,
    );
  });
});

describe('@sitemsg/store-mongo entry points', () => {
  it('never loads @sitemsg/inbox from the main entry, so an application without the inbox needs none', () => {
    const src = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/from '@sitemsg\/inbox'|import\('@sitemsg\/inbox'\)/);
      for (const [, spec] of text.matchAll(/from '(\.[^']+)'/g)) {
        visit(resolve(dirname(file), spec!.replace(/\.js$/, '.ts')));
      }
    };
    visit(resolve(src, 'index.ts'));
    expect(seen.size).toBeGreaterThan(10);
    expect([...seen].some((file) => file.includes('/inbox/'))).toBe(false);
  });
});
