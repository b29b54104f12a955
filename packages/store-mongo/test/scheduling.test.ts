import { type NewDispatch, type ScheduleRequest, StoreError } from '@sitemsg/core/plugin';
import { type MongoTestServer, startMongoTestServer } from '@sitemsg-internal/test-servers/mongo';
import { MongoClient } from 'mongodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MongoStore } from '../src/index.js';

const DB = 'scheduling';
const NOW = new Date('2026-01-01T00:00:00Z');
const LATER = new Date('2026-01-01T00:01:00Z');

let server: MongoTestServer;
let client: MongoClient;
let stores: MongoStore[] = [];
let prefixes = 0;

beforeAll(async () => {
  server = await startMongoTestServer();
  client = new MongoClient(server.url);
});
afterEach(async () => {
  await Promise.all(stores.map((s) => s.close()));
  stores = [];
});
afterAll(async () => {
  await client.close();
  await server.close();
});

/** `count` stores on one fresh prefix, each with its own connections, as separate workers would be. */
async function open(count = 1): Promise<{ stores: MongoStore[]; prefix: string }> {
  const prefix = `t${++prefixes}_`;
  const opened = Array.from(
    { length: count },
    () => new MongoStore({ url: server.url, dbName: DB }, { collectionPrefix: prefix }),
  );
  stores.push(...opened);
  for (const s of opened) await s.init();
  return { stores: opened, prefix };
}

function recipients(n: number, tag = 'r'): NewDispatch[] {
  return Array.from({ length: n }, (_, i) => ({
    messenger: 'test',
    address: `${tag}${i}@x.test`,
    userId: null,
  }));
}

function request(
  dispatches: NewDispatch[],
  extra: Partial<ScheduleRequest['message']> = {},
): ScheduleRequest {
  return {
    message: {
      type: 'plain',
      context: { text: 'hello' },
      senderId: null,
      priority: 0,
      sendAt: null,
      idempotencyKey: null,
      groupMark: null,
      dispatchesReady: true,
      ...extra,
    },
    dispatches,
    now: NOW,
  };
}

const raw = (prefix: string, name: string) => client.db(DB).collection(`${prefix}${name}`);
const isMessageInsert = (prefix: string) => (c: Record<string, unknown>) => c.insert === `${prefix}messages`;
const isFinish = (prefix: string) => (c: Record<string, unknown>) =>
  c.update === `${prefix}dispatches` && JSON.stringify(c.updates).includes('"staged"');

describe('scheduling without transactions (the ordered fallback)', () => {
  it('talks to a standalone server without a single transaction', async () => {
    const {
      stores: [store],
    } = await open();
    await store!.schedule(request(recipients(3)));
    expect((await client.db('admin').command({ hello: 1 })).setName).toBeUndefined();
    expect(server.counts.get('commitTransaction') ?? 0).toBe(0);
    expect(server.counts.get('abortTransaction') ?? 0).toBe(0);
  });

  it('a crash before the message is written leaves nothing visible, and cleanup sweeps the leftovers', async () => {
    const {
      stores: [store],
      prefix,
    } = await open();
    // The process "dies" after staging: the message insert and its own undo both fail.
    server.inject({ command: 'insert', when: isMessageInsert(prefix), kind: 'drop' });
    server.inject({ command: 'delete', kind: 'drop' });
    await expect(store!.schedule(request(recipients(5)))).rejects.toBeInstanceOf(StoreError);

    expect(await store!.countDispatches()).toEqual({
      pending: 0,
      processing: 0,
      sent: 0,
      error: 0,
      failed: 0,
    });
    expect(await store!.listDispatches({})).toEqual([]);
    expect(await store!.claim({ owner: 'w', limit: 10, now: LATER, leaseMs: 1000 })).toEqual([]);
    expect(await raw(prefix, 'messages').countDocuments()).toBe(0);
    expect(await raw(prefix, 'dispatches').countDocuments({ staged: { $exists: true } })).toBe(5);

    // Younger than the grace period (in-flight schedules look the same): kept.
    await store!.cleanup({ before: null, dispatchesOnly: false });
    expect(await raw(prefix, 'dispatches').countDocuments()).toBe(5);
    await raw(prefix, 'dispatches').updateMany(
      {},
      { $set: { stagedAt: new Date(Date.now() - 2 * 3_600_000) } },
    );
    await store!.cleanup({ before: null, dispatchesOnly: false });
    expect(await raw(prefix, 'dispatches').countDocuments()).toBe(0);
  });

  it('a crash after the message is written is rolled forward: every dispatch becomes claimable', async () => {
    const {
      stores: [store, other],
      prefix,
    } = await open(2);
    server.inject({ command: 'update', when: isFinish(prefix), kind: 'drop' });
    const result = await store!.schedule(request(recipients(4)));
    expect(result.outcome).toBe('created');
    expect(await raw(prefix, 'messages').countDocuments({ staging: { $exists: true } })).toBe(1);

    // Another process repairs on its first claim.
    const claimed = await other!.claim({ owner: 'w2', limit: 10, now: LATER, leaseMs: 1000 });
    expect(claimed.map((c) => c.dispatch.id).sort()).toEqual(result.dispatches.map((d) => d.id).sort());
    expect(await raw(prefix, 'messages').countDocuments({ staging: { $exists: true } })).toBe(0);
  });

  it('the process whose finish failed repairs on its own next claim', async () => {
    const {
      stores: [store],
      prefix,
    } = await open();
    await store!.claim({ owner: 'w', limit: 1, now: NOW, leaseMs: 1000 }); // the periodic repair ran
    server.inject({ command: 'update', when: isFinish(prefix), kind: 'error' });
    const result = await store!.schedule(request(recipients(2)));
    const claimed = await store!.claim({ owner: 'w', limit: 10, now: NOW, leaseMs: 1000 });
    expect(claimed).toHaveLength(result.dispatches.length);
  });

  it('enforces an idempotency key by its unique index when two workers schedule it at once', async () => {
    const {
      stores: [a, b],
      prefix,
    } = await open(2);
    const key = { idempotencyKey: 'order-17' };
    const deletes = server.counts.get('delete') ?? 0;
    const results = await Promise.all([
      a!.schedule(request(recipients(3, 'a'), key)),
      b!.schedule(request(recipients(3, 'b'), key)),
    ]);
    expect(results.map((r) => r.outcome).sort()).toEqual(['created', 'duplicate']);
    expect(results[0]!.message.id).toBe(results[1]!.message.id);
    expect(await a!.listDispatches({})).toHaveLength(3);
    // Both passed the look-up; the unique index refused the second, whose staged dispatches were removed.
    expect(server.counts.get('delete') ?? 0).toBeGreaterThan(deletes);
    expect(await raw(prefix, 'dispatches').countDocuments()).toBe(3);
  });

  it('merges concurrent schedules into one group without losing a context or an address', async () => {
    const { stores: list } = await open(4);
    const results = await Promise.all(
      list.map((store, i) =>
        store.schedule({
          ...request([{ messenger: 'test', address: `g${i}@x.test`, userId: null }], {
            groupMark: 'comments',
            context: { text: `comment ${i}` },
          }),
          merge: (existing) => ({ text: `${String(existing.text)}\ncomment ${i}` }),
        }),
      ),
    );
    const messageIds = [...new Set(results.map((r) => r.message.id))];
    const texts = await Promise.all(
      messageIds.map(async (id) => (await list[0]!.getMessage(id))!.context.text),
    );
    const comments = texts.flatMap((t) => String(t).split('\n')).sort();
    expect(comments).toEqual(['comment 0', 'comment 1', 'comment 2', 'comment 3']);
    const addresses = (await list[0]!.listDispatches({})).map((d) => d.address).sort();
    expect(addresses).toEqual(['g0@x.test', 'g1@x.test', 'g2@x.test', 'g3@x.test']);
  });

  it('closes a group when one of its dispatches is claimed: later messages start a new one', async () => {
    const {
      stores: [store],
    } = await open();
    const grouped = { groupMark: 'digest' };
    const merge = (existing: Record<string, unknown>) => ({ text: `${String(existing.text)}\nmore` });
    const first = await store!.schedule(request(recipients(1), grouped));
    const joined = await store!.schedule({ ...request(recipients(2), grouped), merge });
    expect(joined.outcome).toBe('grouped');
    expect(joined.message.id).toBe(first.message.id);
    await store!.claim({ owner: 'w', limit: 1, now: NOW, leaseMs: 1000 });
    const after = await store!.schedule({ ...request(recipients(1), grouped), merge });
    expect(after.outcome).toBe('created');
  });

  it('keeps contexts exactly, keys BSON would mangle included', async () => {
    const {
      stores: [store],
    } = await open();
    const context = { text: 'x', $ref: 'users', $id: 7, 'a.b': { $set: [1, null, 'z'] }, n: 1.5 };
    const { message } = await store!.schedule(request(recipients(1), { context }));
    expect((await store!.getMessage(message.id))!.context).toEqual(context);
  });
});

describe('scheduling on a server that offers transactions', () => {
  it('falls back to ordered writes when the server refuses the transaction', async () => {
    const rs = await startMongoTestServer({ replicaSet: 'rs0' });
    const store = new MongoStore({ url: rs.url, dbName: DB }, { collectionPrefix: 'rs_' });
    try {
      await store.init();
      expect((await store.healthCheck()).detail).toContain('transactions');
      const result = await store.schedule(request(recipients(3)));
      expect(result.outcome).toBe('created');
      expect(rs.counts.get('abortTransaction') ?? 0).toBeGreaterThan(0);
      expect((await store.healthCheck()).detail).toContain('ordered writes');
      const claimed = await store.claim({ owner: 'w', limit: 10, now: NOW, leaseMs: 1000 });
      expect(claimed).toHaveLength(3);
    } finally {
      await store.close();
      await rs.close();
    }
  });
});
