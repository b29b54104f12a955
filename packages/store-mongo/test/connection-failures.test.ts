import { StoreError } from '@sitemsg/core/plugin';
import { type MongoTestServer, startMongoTestServer } from '@sitemsg-internal/test-servers/mongo';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isConnectionFailure, storeCall } from '../src/errors.js';

let server: MongoTestServer;

beforeAll(async () => {
  server = await startMongoTestServer();
});
afterAll(async () => {
  await server?.close();
});

async function failure(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected the operation to fail');
}

describe('telling an unreachable MongoDB from a refused write', () => {
  it('marks a server that cannot be reached unavailable, through storeCall too', async () => {
    const client = new MongoClient('mongodb://127.0.0.1:1/x', { serverSelectionTimeoutMS: 200 });
    const error = await failure(() =>
      storeCall('complete', () => client.db('x').collection('c').insertOne({ a: 1 })),
    );
    expect(StoreError.isInstance(error) && error.unavailable).toBe(true);
    expect(isConnectionFailure((error as Error).cause)).toBe(true);
    await client.close();
  });

  it('marks a connection cut mid-command unavailable', async () => {
    const client = new MongoClient(server.url, { retryWrites: false, retryReads: false });
    const collection = client.db('cut').collection('c');
    await collection.insertOne({ a: 1 });
    server.dropConnections();
    const error = await failure(() => collection.findOne({ a: 1 }));
    expect(isConnectionFailure(error)).toBe(true);
    await client.close();
  });

  it('does not mark a write the server refused (a duplicate key)', async () => {
    const client = new MongoClient(server.url);
    const collection = client.db('dup').collection('c');
    await collection.insertOne({ _id: 'one' } as never);
    const error = await failure(() =>
      storeCall('schedule', () => collection.insertOne({ _id: 'one' } as never)),
    );
    expect(StoreError.isInstance(error) && error.unavailable).toBe(false);
    await client.close();
  });
});
