import {
  type JsonObject,
  type NewDispatch,
  type ScheduleRequest,
  StoreError,
  ValidationError,
} from '@sitemsg/core/plugin';
import { type MongoTestServer, startMongoTestServer } from '@sitemsg-internal/test-servers/mongo';
import { MongoClient } from 'mongodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { beginBatch, commitBatch, repairBatches } from '../src/batch.js';
import { collections, type StoreContext } from '../src/context.js';
import { MongoStore } from '../src/index.js';
import { sweepOrphans } from '../src/staging.js';

// scheduleMany without transactions (the wire-protocol test server is a standalone mongod): what
// a failed, crashed or concurrent call leaves, read straight from the collections.

const DB = 'schedule_many';
const NOW = new Date('2026-01-01T00:00:00Z');
/** Claim time past the repair interval (30 s), so a claim runs the repair pass again. */
const LATER = new Date('2026-01-01T00:01:00Z');
const MINUTE = 60_000;

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

/** Two stores (two "processes", each with its own connections) on a fresh prefix. */
async function open(): Promise<{ store: MongoStore; other: MongoStore; prefix: string }> {
  const prefix = `m${++prefixes}_`;
  const [store, other] = [0, 1].map(
    () => new MongoStore({ url: server.url, dbName: DB }, { collectionPrefix: prefix }),
  ) as [MongoStore, MongoStore];
  stores.push(store, other);
  await store.init();
  await other.init();
  return { store, other, prefix };
}

const to = (...addresses: string[]): NewDispatch[] =>
  addresses.map((address) => ({ messenger: 'test', address, userId: null }));

function request(
  type: string,
  dispatches: NewDispatch[],
  extra: Partial<ScheduleRequest['message']> = {},
  merge?: (existing: JsonObject) => JsonObject,
): ScheduleRequest {
  return {
    message: {
      type,
      context: { text: type },
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
    ...(merge && { merge }),
  };
}

const append = (line: string) => (existing: JsonObject) => ({ text: `${String(existing.text)}\n${line}` });
const raw = (prefix: string, name: string) => client.db(DB).collection(`${prefix}${name}`);
/** The insert of the message of type `type` (its dispatches are inserted before it). */
const messageInsert = (prefix: string, type: string) => (c: Record<string, unknown>) =>
  c.insert === `${prefix}messages` && (c.documents as { type?: string }[])[0]?.type === type;
const batchUpdate = (prefix: string) => (c: Record<string, unknown>) => c.update === `${prefix}batches`;
const finishUpdate = (prefix: string) => (c: Record<string, unknown>) =>
  c.update === `${prefix}dispatches` && JSON.stringify(c.updates).includes('"staged"');

async function rawCounts(prefix: string): Promise<Record<string, number>> {
  return {
    messages: await raw(prefix, 'messages').countDocuments(),
    dispatches: await raw(prefix, 'dispatches').countDocuments(),
    batches: await raw(prefix, 'batches').countDocuments(),
    held: await raw(prefix, 'messages').countDocuments({ batch: { $exists: true } }),
  };
}

const claimAll = (store: MongoStore, now = NOW) =>
  store.claim({ owner: 'w', limit: 100, now, leaseMs: 1000 });

describe('scheduleMany without transactions: compensation', () => {
  it('message 2 of 3 refused by the server: nothing of 1 and 3 is written, and the error names message 2', async () => {
    const { store, other, prefix } = await open();
    server.inject({ command: 'insert', when: messageInsert(prefix, 'second'), kind: 'error' });
    const error = await store
      .scheduleMany([
        request('first', to('a@x.test', 'b@x.test')),
        request('second', to('c@x.test')),
        request('third', to('d@x.test')),
      ])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(
      /^\[sitemsg\] \[mongo\] message 2 of 3 \(type "second"\) could not be written, so none of the 3 was: .*injected fault/,
    );
    expect(await rawCounts(prefix)).toEqual({ messages: 0, dispatches: 0, batches: 0, held: 0 });
    expect(await claimAll(other)).toEqual([]);
    expect(await other.countDispatches()).toMatchObject({ pending: 0, processing: 0 });
  });

  it('undoes a merge into an existing group: its context comes back, its new dispatches go, it stays joinable', async () => {
    const { store, prefix } = await open();
    const group = await store.schedule(request('digest', to('g@x.test'), { groupMark: 'daily' }));
    server.inject({ command: 'insert', when: messageInsert(prefix, 'failing'), kind: 'error' });
    await expect(
      store.scheduleMany([
        request('digest', to('g@x.test', 'h@x.test'), { groupMark: 'daily' }, append('merged')),
        request('failing', to('f@x.test')),
      ]),
    ).rejects.toThrow(/message 2 of 2 \(type "failing"\)/);

    expect(await store.getMessage(group.message.id)).toEqual(group.message);
    expect((await store.listDispatches({})).map((d) => d.address)).toEqual(['g@x.test']);
    const doc = await raw(prefix, 'messages').findOne({});
    expect(doc).not.toHaveProperty('batch');
    expect(doc).not.toHaveProperty('batchUndo');
    expect(doc).not.toHaveProperty('staging');
    expect(await rawCounts(prefix)).toEqual({ messages: 1, dispatches: 1, batches: 0, held: 0 });

    const joined = await store.schedule(
      request('digest', to('h@x.test'), { groupMark: 'daily' }, append('later')),
    );
    expect(joined).toMatchObject({ outcome: 'grouped', message: { id: group.message.id } });
    expect((await store.getMessage(group.message.id))?.context).toEqual({ text: 'digest\nlater' });
  });

  it('keeps an undecided call invisible, even to another process’s repair; a crashed one is rolled back once stale', async () => {
    const { store, other, prefix } = await open();
    // Message 2 fails and the abort is lost with the connection: as if the process died there.
    server.inject({ command: 'insert', when: messageInsert(prefix, 'second'), kind: 'error' });
    server.inject({ command: 'update', when: batchUpdate(prefix), kind: 'drop' });
    await expect(
      store.scheduleMany([
        request('first', to('a@x.test', 'b@x.test'), { idempotencyKey: 'order-1' }),
        request('second', to('c@x.test')),
      ]),
    ).rejects.toThrow(/message 2 of 2/);
    // Message 1 held and invisible; its dispatches and message 2's, staged under the batch id.
    expect(await rawCounts(prefix)).toEqual({ messages: 1, dispatches: 3, batches: 1, held: 1 });
    const [held] = await raw(prefix, 'messages').find({}).toArray();

    // Another process claims (its repair pass runs): nothing is rolled forward or claimable.
    expect(await claimAll(other)).toEqual([]);
    expect(await other.getMessage(String(held!._id))).toBeNull();
    expect(await other.countDispatches()).toMatchObject({ pending: 0 });
    // Its idempotency key may yet be rolled back: a retry is asked for, not a duplicate answered.
    const busy = other.schedule(request('first', to('a@x.test'), { idempotencyKey: 'order-1' }));
    await expect(busy).rejects.toBeInstanceOf(StoreError);
    await expect(busy).rejects.toThrow(/another scheduleMany call is still writing.*retry/);

    // Past the grace period the next repair pass takes the call for dead and rolls it back.
    await raw(prefix, 'batches').updateMany({}, { $set: { startedAt: new Date(Date.now() - 6 * MINUTE) } });
    expect(await claimAll(other, LATER)).toEqual([]);
    expect(await rawCounts(prefix)).toEqual({ messages: 0, dispatches: 0, batches: 0, held: 0 });
    const retried = await other.schedule(request('first', to('a@x.test'), { idempotencyKey: 'order-1' }));
    expect(retried.outcome).toBe('created');
  });

  it('rolls forward a call that crashed after its commit: every message’s dispatches become claimable', async () => {
    const { store, other, prefix } = await open();
    server.inject({ command: 'update', when: finishUpdate(prefix), kind: 'drop' });
    const results = await store.scheduleMany([
      request('first', to('a@x.test')),
      request('second', to('b@x.test', 'c@x.test')),
    ]);
    expect(results.map((r) => r.outcome)).toEqual(['created', 'created']);
    expect(await raw(prefix, 'batches').findOne({})).toMatchObject({ state: 'committed' });

    const claimed = await claimAll(other);
    expect(claimed.map((c) => c.dispatch.id).sort()).toEqual(
      results.flatMap((r) => r.dispatches.map((d) => d.id)).sort(),
    );
    expect(await rawCounts(prefix)).toEqual({ messages: 2, dispatches: 3, batches: 0, held: 0 });
  });

  it('asks again when the answer to its commit is lost, and commits', async () => {
    const { store, other, prefix } = await open();
    server.inject({ command: 'update', when: batchUpdate(prefix), kind: 'drop' });
    const results = await store.scheduleMany([
      request('first', to('a@x.test')),
      request('second', to('b@x.test')),
    ]);
    expect(results.map((r) => r.outcome)).toEqual(['created', 'created']);
    expect(await claimAll(other)).toHaveLength(2);
    expect(await rawCounts(prefix)).toMatchObject({ batches: 0, held: 0 });
  });

  it('two calls grouping into one open group at once: one holds it, the other starts its own; nothing is lost', async () => {
    const { store, other } = await open();
    const first = await store.schedule(request('digest', to('g@x.test'), { groupMark: 'daily' }));
    const results = await Promise.all(
      [store, other].map((s, i) =>
        s.scheduleMany([
          request(
            'digest',
            to(`g${i}@x.test`),
            { groupMark: 'daily', context: { text: `line ${i}` } },
            append(`line ${i}`),
          ),
          request('plain', to(`p${i}@x.test`)),
        ]),
      ),
    );
    const groupIds = new Set(results.map((r) => r[0]!.message.id));
    expect(groupIds.has(first.message.id)).toBe(true);
    const texts = await Promise.all(
      [...groupIds].map(async (id) => (await store.getMessage(id))!.context.text),
    );
    const lines = texts.flatMap((t) => String(t).split('\n'));
    expect(lines.filter((l) => l.startsWith('line')).sort()).toEqual(['line 0', 'line 1']);
    const addresses = (await claimAll(store)).map((c) => c.dispatch.address).sort();
    expect(addresses).toEqual(['g0@x.test', 'g1@x.test', 'g@x.test', 'p0@x.test', 'p1@x.test']);
  });

  it('refuses a transactional-outbox client, as schedule does', async () => {
    const { store } = await open();
    await expect(
      store.scheduleMany([request('first', to('a@x.test'))], { client: {} }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(await store.scheduleMany([])).toEqual([]);
  });
});

describe('the batch record', () => {
  /** A context on the raw client, as the store builds one, for driving batch.ts step by step. */
  function context(prefix: string): StoreContext {
    const db = client.db(DB);
    return {
      client,
      db,
      c: collections(db, prefix),
      transactions: false,
      needsRepair: false,
      lastRepairAt: null,
    };
  }

  it('a call that a repair pass gave up on rolls back at its commit and says so', async () => {
    const { prefix } = await open();
    const ctx = context(prefix);
    const batch = await beginBatch(ctx);
    await raw(prefix, 'messages').insertOne({
      _id: 900 as never,
      type: 'x',
      batch,
      batchNew: true,
      staging: batch,
    });
    await raw(prefix, 'dispatches').insertOne({
      _id: 901 as never,
      messageId: 900,
      staged: batch,
      stagedAt: new Date(),
    });
    // A repair pass that takes every running call for dead (grace 0) rolls this one back.
    expect(await repairBatches(ctx, 0)).toBe(1);
    const commit = commitBatch(ctx, batch, 1);
    await expect(commit).rejects.toBeInstanceOf(StoreError);
    await expect(commit).rejects.toThrow(/none of the 1 messages was written: .* rolled it back\. Retry\./);
    expect(await rawCounts(prefix)).toEqual({ messages: 0, dispatches: 0, batches: 0, held: 0 });
  });

  it('cleanup sweeps what a call wrote after its record was rolled back and removed', async () => {
    const { store, prefix } = await open();
    const group = await store.schedule(request('digest', to('g@x.test'), { groupMark: 'daily' }));
    // Late writes of a rolled-back call whose process then died: a new message and a merge.
    await raw(prefix, 'messages').insertOne({ _id: 900 as never, type: 'x', batch: 'gone', batchNew: true });
    await raw(prefix, 'messages').updateOne(
      { _id: Number(group.message.id) as never },
      { $set: { batch: 'gone', batchUndo: JSON.stringify({ text: 'digest' }), context: '{"text":"late"}' } },
    );
    await sweepOrphans(context(prefix));
    expect(await rawCounts(prefix)).toEqual({ messages: 1, dispatches: 1, batches: 0, held: 0 });
    expect(await store.getMessage(group.message.id)).toEqual(group.message);
  });
});

describe('scheduleMany on a server that offers transactions', () => {
  it('falls back to held writes when the server refuses the transaction, all or nothing still', async () => {
    const rs = await startMongoTestServer({ replicaSet: 'rs0' });
    const store = new MongoStore({ url: rs.url, dbName: DB }, { collectionPrefix: 'rs_' });
    try {
      await store.init();
      const results = await store.scheduleMany([
        request('first', to('a@x.test')),
        request('second', to('b@x.test')),
      ]);
      expect(results.map((r) => r.outcome)).toEqual(['created', 'created']);
      expect(rs.counts.get('abortTransaction') ?? 0).toBeGreaterThan(0);
      expect((await store.healthCheck()).detail).toContain('ordered writes');
      expect(await claimAll(store)).toHaveLength(2);

      rs.inject({ command: 'insert', when: messageInsert('rs_', 'second'), kind: 'error' });
      await expect(
        store.scheduleMany([request('first', to('c@x.test')), request('second', to('d@x.test'))]),
      ).rejects.toThrow(/message 2 of 2/);
      expect(await store.countDispatches()).toMatchObject({ pending: 0, processing: 2 });
    } finally {
      await store.close();
      await rs.close();
    }
  });
});
