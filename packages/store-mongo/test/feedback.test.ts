import { ALL_MESSAGE_TYPES, type FeedbackRecord, type NewDispatch, StoreError } from '@sitemsg/core/plugin';
import { type MongoTestServer, startMongoTestServer } from '@sitemsg-internal/test-servers/mongo';
import { MongoClient } from 'mongodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collections, type StoreContext } from '../src/context.js';
import { toFeedbackDoc } from '../src/documents.js';
import { sweepOrphanFeedback } from '../src/feedback.js';
import { MongoStore } from '../src/index.js';

// What the store suite cannot see from the API: where feedback and provider ids are kept, the
// indexes that serve them, what a crash inside cleanup leaves, and the sweep that removes it.

const DB = 'feedback';
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
  const prefix = `f${++prefixes}_`;
  const opened = Array.from(
    { length: count },
    () => new MongoStore({ url: server.url, dbName: DB }, { collectionPrefix: prefix }),
  );
  stores.push(...opened);
  for (const s of opened) await s.init();
  return { stores: opened, prefix };
}

const raw = (prefix: string, name: string) => client.db(DB).collection(`${prefix}${name}`);

/** Schedules one message to `addresses` on `test` and claims all of it as worker `w`. */
async function scheduleAndClaim(store: MongoStore, addresses: string[]): Promise<string[]> {
  const dispatches: NewDispatch[] = addresses.map((address) => ({
    messenger: 'test',
    address,
    userId: null,
  }));
  await store.schedule({
    message: {
      type: 'plain',
      context: { text: 'hi' },
      senderId: null,
      priority: 0,
      sendAt: null,
      idempotencyKey: null,
      groupMark: null,
      dispatchesReady: true,
    },
    dispatches,
    now: NOW,
  });
  const claimed = await store.claim({ owner: 'w', limit: 100, now: NOW, leaseMs: 30_000 });
  return claimed.map((c) => c.dispatch.id);
}

function feedback(dispatchId: string, overrides: Partial<FeedbackRecord> = {}): FeedbackRecord {
  return {
    dispatchId,
    kind: 'delivered',
    bounce: null,
    providerCode: null,
    detail: null,
    eventId: null,
    at: LATER,
    ...overrides,
  };
}

describe('provider message ids', () => {
  it('are written by the completion only where an outcome carries one, and found through a partial index', async () => {
    const {
      stores: [store],
      prefix,
    } = await open();
    const [a, b] = await scheduleAndClaim(store!, ['a@x.test', 'b@x.test']);
    await store!.complete(
      'w',
      [
        { dispatchId: a!, status: 'sent', providerMessageId: 'P-1' },
        { dispatchId: b!, status: 'sent' },
      ],
      LATER,
    );
    // No null is ever stored: the partial index holds real ids only.
    const docs = await raw(prefix, 'dispatches')
      .find({}, { sort: { _id: 1 } })
      .toArray();
    expect(docs.map((d) => d.providerMessageId)).toEqual(['P-1', undefined]);
    const indexes = await raw(prefix, 'dispatches').listIndexes().toArray();
    expect(indexes.find((i) => i.name === 'sitemsg_provider_id')).toMatchObject({
      key: { messenger: 1, providerMessageId: 1, _id: -1 },
      partialFilterExpression: { providerMessageId: { $exists: true } },
    });
    expect((await store!.findDispatchByProviderId('test', 'P-1'))?.id).toBe(a);
  });

  it('reads as null on a dispatch document written before store contract 2', async () => {
    const {
      stores: [store],
      prefix,
    } = await open();
    const [id] = await scheduleAndClaim(store!, ['old@x.test']);
    await store!.complete('w', [{ dispatchId: id!, status: 'sent', providerMessageId: 'P-9' }], LATER);
    // An old document: the field never existed.
    await client
      .db(DB)
      .collection<{ _id: number }>(`${prefix}dispatches`)
      .updateOne({ _id: Number(id) }, { $unset: { providerMessageId: '' } });
    expect((await store!.getDispatch(id!))?.providerMessageId).toBeNull();
    expect((await store!.listDispatches({}))[0]?.providerMessageId).toBeNull();
    expect(await store!.findDispatchByProviderId('test', 'P-9')).toBeNull();
  });

  it('go to the newest dispatch when a provider reuses one', async () => {
    const {
      stores: [store],
    } = await open();
    const [first] = await scheduleAndClaim(store!, ['a@x.test']);
    await store!.complete('w', [{ dispatchId: first!, status: 'sent', providerMessageId: 'same' }], LATER);
    const [second] = await scheduleAndClaim(store!, ['b@x.test']);
    await store!.complete('w', [{ dispatchId: second!, status: 'sent', providerMessageId: 'same' }], LATER);
    expect((await store!.findDispatchByProviderId('test', 'same'))?.id).toBe(second);
  });
});

describe('feedback documents', () => {
  it('live in their own collection, event ids unique per dispatch by a partial unique index', async () => {
    const {
      stores: [store],
      prefix,
    } = await open();
    const [id] = await scheduleAndClaim(store!, ['a@x.test']);
    await store!.addFeedback(feedback(id!, { eventId: 'ev-1' }));
    await store!.addFeedback(feedback(id!));
    await store!.addFeedback(feedback(id!));
    // Without an event id the field is absent, so any number of such records fit the unique index.
    const docs = await raw(prefix, 'feedback')
      .find({}, { projection: { _id: 0 } })
      .toArray();
    expect(docs.map((d) => d.eventId)).toEqual(['ev-1', undefined, undefined]);
    expect(docs.every((d) => d.dispatchId === id)).toBe(true);
    const indexes = await raw(prefix, 'feedback').listIndexes().toArray();
    expect(indexes.find((i) => i.name === 'sitemsg_feedback_event')).toMatchObject({
      key: { dispatchId: 1, eventId: 1 },
      unique: true,
      partialFilterExpression: { eventId: { $exists: true } },
    });
    expect(indexes.find((i) => i.name === 'sitemsg_feedback_dispatch')?.key).toEqual({
      dispatchId: 1,
      at: 1,
      _id: 1,
    });
  });

  it('records a redelivered event once when two workers add it at the same time', async () => {
    const {
      stores: [one, two],
      prefix,
    } = await open(2);
    const [id] = await scheduleAndClaim(one!, ['a@x.test']);
    const added = await Promise.all([
      one!.addFeedback(feedback(id!, { eventId: 'ev-race' })),
      two!.addFeedback(feedback(id!, { eventId: 'ev-race' })),
    ]);
    expect(added.sort()).toEqual([false, true]);
    expect(await raw(prefix, 'feedback').countDocuments()).toBe(1);
  });

  it('lists oldest first by the provider time, whatever order it arrived in', async () => {
    const {
      stores: [store],
    } = await open();
    const [id] = await scheduleAndClaim(store!, ['a@x.test']);
    await store!.addFeedback(feedback(id!, { kind: 'read', at: new Date(LATER.getTime() + 2000) }));
    await store!.addFeedback(feedback(id!, { kind: 'delivered', at: LATER }));
    expect((await store!.listFeedback(id!)).map((f) => f.kind)).toEqual(['delivered', 'read']);
  });

  it('is refused for a dispatch id the store does not have, keeping nothing', async () => {
    const {
      stores: [store],
    } = await open();
    for (const id of ['no-such-dispatch', '424242']) {
      await expect(store!.addFeedback(feedback(id))).rejects.toMatchObject({ code: 'UNKNOWN_DISPATCH' });
      expect(await store!.listFeedback(id)).toEqual([]);
    }
  });
});

describe('cleanup and feedback', () => {
  it('deletes the feedback of the dispatches it deletes and keeps the rest', async () => {
    const {
      stores: [store],
      prefix,
    } = await open();
    const [sent, failing] = await scheduleAndClaim(store!, ['sent@x.test', 'failing@x.test']);
    await store!.complete(
      'w',
      [
        { dispatchId: sent!, status: 'sent', providerMessageId: 'P-1' },
        { dispatchId: failing!, status: 'failed', error: 'nope' },
      ],
      LATER,
    );
    await store!.addFeedback(feedback(sent!, { eventId: 'ev-1' }));
    await store!.addFeedback(feedback(failing!, { kind: 'bounced', bounce: 'hard' }));
    expect(await store!.cleanup({ before: null, dispatchesOnly: true })).toEqual({
      dispatches: 1,
      messages: 0,
    });
    expect(await store!.listFeedback(sent!)).toEqual([]);
    expect(await store!.listFeedback(failing!)).toHaveLength(1);
    expect(await store!.findDispatchByProviderId('test', 'P-1')).toBeNull();
    expect(await raw(prefix, 'feedback').countDocuments()).toBe(1);
  });

  it('a cleanup that dies between deleting dispatches and their feedback leaves orphan feedback that the next cleanup sweeps', async () => {
    const {
      stores: [store],
      prefix,
    } = await open();
    const [gone, kept] = await scheduleAndClaim(store!, ['gone@x.test', 'kept@x.test']);
    await store!.complete('w', [{ dispatchId: gone!, status: 'sent' }], LATER);
    await store!.addFeedback(feedback(gone!, { eventId: 'ev-gone' }));
    await store!.addFeedback(feedback(kept!, { eventId: 'ev-kept' }));
    // The process "dies" right after the dispatches went: the feedback delete never answers.
    server.inject({ command: 'delete', when: (c) => c.delete === `${prefix}feedback`, kind: 'drop' });
    await expect(store!.cleanup({ before: null, dispatchesOnly: false })).rejects.toBeInstanceOf(StoreError);
    expect(await store!.getDispatch(gone!)).toBeNull();
    expect(await raw(prefix, 'feedback').countDocuments({ dispatchId: gone })).toBe(1);

    // The next cleanup has no dispatch to delete, and sweeps the orphan all the same.
    expect(await store!.cleanup({ before: null, dispatchesOnly: false })).toEqual({
      dispatches: 0,
      messages: 0,
    });
    expect(await raw(prefix, 'feedback').countDocuments({ dispatchId: gone })).toBe(0);
    expect((await store!.listFeedback(kept!)).map((f) => f.eventId)).toEqual(['ev-kept']);
  });

  it('the orphan sweep walks page by page, a dispatch’s feedback split across pages included', async () => {
    const { prefix } = await open();
    const [store] = stores;
    const ids = await scheduleAndClaim(store!, ['a@x.test', 'b@x.test', 'c@x.test']);
    const [a, b, c] = ids;
    for (const id of [a, b, b, b, c]) await store!.addFeedback(feedback(id!));
    // Orphans, as a cleanup that raced a webhook leaves them (no dispatch any more).
    await raw(prefix, 'feedback').insertMany(
      ['900001', '900001', '900002'].map((id) => toFeedbackDoc(feedback(id))),
    );
    const ctx: StoreContext = {
      client,
      db: client.db(DB),
      c: collections(client.db(DB), prefix),
      transactions: false,
      needsRepair: false,
      lastRepairAt: null,
    };
    // Pages of two: b's three records straddle a page boundary.
    expect(await sweepOrphanFeedback(ctx, 2)).toBe(3);
    expect(await raw(prefix, 'feedback').distinct('dispatchId')).toEqual(ids.map(String).sort());
    expect(await raw(prefix, 'feedback').countDocuments()).toBe(5);
  });
});

describe('suppressions of every message type', () => {
  it('are lifted with the address’s other suppressions in one deleteMany, others untouched', async () => {
    const {
      stores: [store],
    } = await open();
    const on = (messageType: string, messenger = 'test', address = 'dead@x.test') => ({
      messageType,
      messenger,
      address,
    });
    await store!.addSuppression(on(ALL_MESSAGE_TYPES));
    await store!.addSuppression(on('news'));
    await store!.addSuppression(on('news', 'sms'));
    await store!.addSuppression(on(ALL_MESSAGE_TYPES, 'test', 'other@x.test'));
    // The type's own suppression answers first; '*' covers the rest.
    expect(await store!.findSuppressed('news', [{ messenger: 'test', address: 'dead@x.test' }])).toEqual([
      on('news'),
    ]);
    expect(await store!.findSuppressed('digest', [{ messenger: 'test', address: 'dead@x.test' }])).toEqual([
      on(ALL_MESSAGE_TYPES),
    ]);
    const deletes = server.counts.get('delete') ?? 0;
    expect(await store!.removeSuppressions({ messenger: 'test', address: 'dead@x.test' })).toBe(2);
    expect((server.counts.get('delete') ?? 0) - deletes).toBe(1);
    expect(
      await store!.findSuppressed('news', [
        { messenger: 'test', address: 'dead@x.test' },
        { messenger: 'sms', address: 'dead@x.test' },
        { messenger: 'test', address: 'other@x.test' },
      ]),
    ).toEqual([on('news', 'sms'), on(ALL_MESSAGE_TYPES, 'test', 'other@x.test')]);
  });
});
