import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManualClock } from '@sitemsg/core';
import { ConfigurationError, StoreError } from '@sitemsg/core/plugin';
import { type MongoTestServer, startMongoTestServer } from '@sitemsg-internal/test-servers/mongo';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { InboxService, type NewInboxMessage } from '../src/index.js';
import { MongoInboxStore } from '../src/mongo/index.js';

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
    for (const bad of ['a$b', 'has space', 'system.', 'x'.repeat(65), 'nul\0', 7]) {
      expect(() => new MongoInboxStore({ url, dbName: 'd' }, { collectionPrefix: bad as string })).toThrow(
        /collectionPrefix .* is not usable in a collection name/,
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
      /unknown MongoInboxStore option "colectionPrefix"/,
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
  it('round-trips metadata that BSON would mangle: $-prefixed, dotted and DBRef-shaped keys', async () => {
    const store = await open();
    const metadata = { $ref: 'users', $id: 7, 'a.b': { $gt: 1 }, list: [{ 'x.y': null }] };
    await store.insert(msg('m', 'u', { metadata }));
    expect((await store.get('m'))?.metadata).toEqual(metadata);
  });

  it('writes one message when two deliveries of the same key race', async () => {
    const store = await open();
    const results = await Promise.all(
      ['a', 'b', 'c'].map((id) => store.insert(msg(id, 'u', { idempotencyKey: 'dispatch:1' }))),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.message.id)).size).toBe(1);
    expect(await store.countUnread('u')).toBe(1);
  });

  it('gives concurrent markAllRead calls disjoint sets of ids that cover every unread message', async () => {
    const store = await open();
    for (const id of ['a', 'b', 'c', 'd']) await store.insert(msg(id, 'u'));
    await store.insert(msg('other', 'v'));
    const [x, y] = await Promise.all([store.markAllRead('u', T0), store.markAllRead('u', T0)]);
    expect([...x!, ...y!].sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(await store.countUnread('v')).toBe(1);
  });

  it('reports a failed write as a StoreError and changes nothing', async () => {
    const store = await open();
    await store.insert(msg('m', 'u'));
    server.inject({ command: 'update', kind: 'error' });
    const error = await store.markRead('m', 'u', T0).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(String((error as Error).message)).toMatch(
      /^\[sitemsg\] \[inbox\] marking a message read on MongoDB failed/,
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

describe('@sitemsg/inbox entry points', () => {
  it('never loads mongodb from the main entry', () => {
    const src = resolve(dirname(fileURLToPath(import.meta.url)), '../src');
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/from 'mongodb'|import\('mongodb'\)/);
      for (const [, spec] of text.matchAll(/from '(\.[^']+)'/g)) {
        visit(resolve(dirname(file), spec!.replace(/\.js$/, '.ts')));
      }
    };
    visit(resolve(src, 'index.ts'));
    expect(seen.size).toBeGreaterThan(5);
  });
});
