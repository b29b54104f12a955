import { MongoClient, MongoServerError } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { TestProject } from 'vitest/node';
import { type MongoTestServer, setup, startMongoTestServer } from '../src/mongo.js';

let server: MongoTestServer;
let client: MongoClient;

beforeAll(async () => {
  server = await startMongoTestServer();
  client = new MongoClient(server.url);
});
afterAll(async () => {
  await client.close();
  await server.close();
});

interface Doc {
  _id: string;
  n?: number;
  count?: number;
  tags?: string[];
  done?: boolean;
  fresh?: boolean;
  all?: number;
  key?: string;
}
const coll = (name: string) => client.db('wire').collection<Doc>(name);

describe('the MongoDB test server, through the official driver', () => {
  it('stores, finds with filters, sorts, limits and pages through cursors', async () => {
    const docs = Array.from({ length: 250 }, (_, i) => ({ _id: `d${String(i).padStart(3, '0')}`, n: i }));
    await coll('crud').insertMany(docs);
    expect(await coll('crud').countDocuments({ n: { $gte: 200 } })).toBe(50);
    const top = await coll('crud')
      .find({ n: { $lt: 10 } })
      .sort({ n: -1 })
      .limit(3)
      .toArray();
    expect(top.map((d) => d.n)).toEqual([9, 8, 7]);
    // More than one batch: getMore, then the cursor is exhausted.
    expect(await coll('crud').find({}).batchSize(40).toArray()).toHaveLength(250);
  });

  it('applies updates, upserts and findOneAndUpdate as mongod does', async () => {
    await coll('upd').insertOne({ _id: 'a', count: 1, tags: ['x'] });
    await coll('upd').updateOne({ _id: 'a' }, { $inc: { count: 2 }, $push: { tags: 'y' } });
    const after = await coll('upd').findOneAndUpdate(
      { _id: 'a' },
      { $set: { done: true } },
      { returnDocument: 'after' },
    );
    expect(after).toEqual({ _id: 'a', count: 3, tags: ['x', 'y'], done: true });
    const upsert = await coll('upd').updateOne(
      { _id: 'b' },
      { $setOnInsert: { fresh: true } },
      { upsert: true },
    );
    expect(upsert.upsertedCount).toBe(1);
    expect(await coll('upd').findOne({ _id: 'b' })).toEqual({ _id: 'b', fresh: true });
    const many = await coll('upd').updateMany({ _id: { $in: ['a', 'b'] } }, { $set: { all: 1 } });
    expect(many.modifiedCount).toBe(2);
    expect((await coll('upd').deleteMany({ all: 1 })).deletedCount).toBe(2);
  });

  it('enforces unique and partial unique indexes with E11000', async () => {
    await coll('uniq').createIndex(
      { key: 1 },
      { unique: true, partialFilterExpression: { key: { $type: 'string' } } },
    );
    await coll('uniq').insertOne({ _id: '1', key: 'k' });
    await coll('uniq').insertMany([{ _id: '2' }, { _id: '3' }]); // no key: outside the partial index
    const error = await coll('uniq')
      .insertOne({ _id: '4', key: 'k' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoServerError);
    expect(error).toMatchObject({ code: 11000, keyValue: { key: 'k' } });
    const indexes = await coll('uniq').listIndexes().toArray();
    expect(indexes.map((i) => i.name)).toEqual(['_id_', 'key_1']);
  });

  it('counts commands, and fails or cuts the next matching one when told to', async () => {
    await coll('faults').insertOne({ _id: 'seed' });
    const inserts = server.counts.get('insert') ?? 0;
    server.inject({ command: 'insert', when: (c) => c.insert === 'faults', kind: 'error' });
    await expect(coll('faults').insertOne({ _id: 'x' })).rejects.toThrow(/injected fault on insert/);
    expect(server.counts.get('insert')).toBe(inserts + 1);
    expect(await coll('faults').findOne({ _id: 'x' })).toBeNull();

    // A write: the driver retries a read after a cut connection, and a standalone has no retryable writes.
    server.inject({ command: 'delete', kind: 'drop' });
    await expect(coll('faults').deleteOne({ _id: 'seed' })).rejects.toThrow();
    expect(await coll('faults').findOne({ _id: 'seed' })).toEqual({ _id: 'seed' });
  });

  it('cuts every connection on request, and the driver reconnects', async () => {
    await coll('drop').insertOne({ _id: 'a' });
    const opened = server.connectionsOpened();
    expect(server.openConnections()).toBeGreaterThan(0);
    server.dropConnections();
    let found = null;
    for (let i = 0; i < 5 && !found; i++)
      found = await coll('drop')
        .findOne({ _id: 'a' })
        .catch(() => null);
    expect(found).toEqual({ _id: 'a' });
    expect(server.connectionsOpened()).toBeGreaterThan(opened);
  });

  it('refuses transactions, also when posing as a replica set primary', async () => {
    const rs = await startMongoTestServer({ replicaSet: 'rs0' });
    const rsClient = new MongoClient(rs.url);
    onTestFinished(async () => {
      await rsClient.close();
      await rs.close();
    });
    expect(await rsClient.db('admin').command({ hello: 1 })).toMatchObject({ setName: 'rs0' });
    const session = rsClient.startSession();
    try {
      await expect(
        session.withTransaction(async () => {
          await rsClient.db('t').collection('c').insertOne({ a: 1 }, { session });
        }),
      ).rejects.toThrow(/does not support retryable writes|Transaction numbers are only allowed/);
      expect(rs.counts.get('abortTransaction') ?? 0).toBeGreaterThan(0);
    } finally {
      await session.endSession();
    }
    expect(await rsClient.db('t').collection('c').countDocuments()).toBe(0);
  });
});

describe('setup (vitest global setup)', () => {
  it('provides the URL of a server it starts, and its teardown stops it', async () => {
    const provided = new Map<string, unknown>();
    const project = { provide: (key: string, value: unknown) => provided.set(key, value) };
    const teardown = await setup(project as unknown as TestProject);
    const url = String(provided.get('mongoUrl'));
    expect(url).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/\?directConnection=true$/);
    const probe = new MongoClient(url, { serverSelectionTimeoutMS: 300 });
    onTestFinished(() => probe.close());
    expect(await probe.db('admin').command({ ping: 1 })).toMatchObject({ ok: 1 });
    await teardown();
    // The server is gone: a new connection is refused.
    await expect(
      new MongoClient(url, { serverSelectionTimeoutMS: 300 }).connect().then((c) => c.close()),
    ).rejects.toThrow();
  });
});
