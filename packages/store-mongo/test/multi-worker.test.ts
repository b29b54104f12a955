import { createSitemsg, type Sitemsg } from '@sitemsg/core';
import { type MongoTestServer, startMongoTestServer } from '@sitemsg-internal/test-servers/mongo';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoStore } from '../src/index.js';
import { type SendRecord, SinkMessenger } from './fixtures/sink-messenger.js';
import { waitFor } from './fixtures/wait.js';
import { go, startWorker, stopAll, type Worker } from './fixtures/workers.js';

const DB = 'multiworker';
const WORKERS = 4;
const MESSAGES = 50;
const RECIPIENTS = 100;
const TOTAL = MESSAGES * RECIPIENTS;

let server: MongoTestServer;
let client: MongoClient;

beforeAll(async () => {
  server = await startMongoTestServer();
  client = new MongoClient(server.url);
});
afterAll(async () => {
  await client?.close();
  await server?.close();
});

/** An engine in this process that only schedules (its messenger records nothing). */
function scheduler(prefix: string): Sitemsg {
  return createSitemsg({
    store: new MongoStore({ url: server.url, dbName: DB }, { collectionPrefix: prefix }),
    messengers: [new SinkMessenger(null, 'scheduler')],
  });
}

async function scheduleMany(sitemsg: Sitemsg, messages = MESSAGES): Promise<string[]> {
  const ids: string[] = [];
  for (let m = 0; m < messages; m++) {
    const addresses = Array.from({ length: RECIPIENTS }, (_, r) => `m${m}-r${r}@example.test`);
    const [result] = await sitemsg.scheduleMessages(`message ${m}`, sitemsg.recipients('sink', addresses), {
      priority: m % 3,
    });
    ids.push(...result!.dispatches.map((d) => d.id));
  }
  return ids;
}

describe('many worker processes on one MongoDB (wire-protocol test server)', () => {
  it(`${WORKERS} worker processes drain ${TOTAL} dispatches: each sent exactly once`, async () => {
    const prefix = 'drain_';
    const sitemsg = scheduler(prefix);
    const scheduled = await scheduleMany(sitemsg);
    expect(new Set(scheduled).size).toBe(TOTAL);

    const settings = { url: server.url, dbName: DB, prefix, leaseMs: 30_000, batchSize: 50 };
    const workers: Worker[] = await Promise.all(
      Array.from({ length: WORKERS }, (_, i) => startWorker(`worker-${i}`, settings)),
    );
    const sends = client.db(DB).collection<SendRecord>(`${prefix}sends`);
    try {
      go(workers);
      // Cheap polls while the workers run (a count of the sink), one status count at the end.
      await waitFor(async () => (await sends.estimatedDocumentCount()) >= TOTAL, 120_000);
      const drained = await waitFor(
        async () => (await sitemsg.store.countDispatches()).sent === TOTAL,
        10_000,
      );
      expect(drained, workers.map((w) => w.stderr()).join('\n')).toBe(true);
    } finally {
      await stopAll(workers);
    }

    const records = await sends.find({}, { projection: { _id: 0 } }).toArray();
    expect(records).toHaveLength(TOTAL);
    expect(new Set(records.map((r) => r.dispatchId))).toEqual(new Set(scheduled));
    expect(await sitemsg.store.countDispatches()).toEqual({
      pending: 0,
      processing: 0,
      sent: TOTAL,
      error: 0,
      failed: 0,
    });
    const perWorker = new Map<string, number>();
    for (const r of records) perWorker.set(r.worker, (perWorker.get(r.worker) ?? 0) + 1);
    // Every process took part: the claims really interleaved on the server.
    expect([...perWorker.keys()].sort()).toEqual(workers.map((w) => w.id).sort());
    await sitemsg.close();
  }, 180_000);

  it('a worker killed mid-batch: after its lease expires the others send its dispatches, with the same ids', async () => {
    const prefix = 'kill_';
    const sitemsg = scheduler(prefix);
    const scheduled = await scheduleMany(sitemsg, 10);
    const sends = client.db(DB).collection<SendRecord>(`${prefix}sends`);
    const settings = { url: server.url, dbName: DB, prefix, leaseMs: 3000, batchSize: 50 };

    const doomed = await startWorker('doomed', { ...settings, hold: true });
    go([doomed]);
    expect(await waitFor(async () => (await sends.countDocuments({ worker: 'doomed' })) === 50, 30_000)).toBe(
      true,
    );
    doomed.child.kill('SIGKILL');
    const held = (await sends.find({ worker: 'doomed' }).toArray()).map((r) => r.dispatchId);

    const workers = await Promise.all([1, 2, 3].map((i) => startWorker(`worker-${i}`, settings)));
    try {
      go(workers);
      const drained = await waitFor(
        async () => (await sitemsg.store.countDispatches()).sent === 1000,
        60_000,
      );
      expect(drained, workers.map((w) => w.stderr()).join('\n')).toBe(true);
    } finally {
      await stopAll(workers);
    }

    const times = new Map<string, number>();
    for (const r of await sends.find().toArray()) times.set(r.dispatchId, (times.get(r.dispatchId) ?? 0) + 1);
    expect(new Set(times.keys())).toEqual(new Set(scheduled));
    for (const id of scheduled) expect(times.get(id)).toBe(held.includes(id) ? 2 : 1);
    for (const id of held) expect((await sitemsg.store.getDispatch(id))?.attempts).toBe(2);
    await sitemsg.close();
  }, 120_000);

  it('connections cut under running workers: they reconnect and carry on, nothing lost', async () => {
    const prefix = 'cut_';
    const sitemsg = scheduler(prefix);
    const scheduled = await scheduleMany(sitemsg, 20);
    const sends = client.db(DB).collection<SendRecord>(`${prefix}sends`);
    const settings = { url: server.url, dbName: DB, prefix, leaseMs: 2000, batchSize: 25 };
    const workers = await Promise.all([0, 1, 2, 3].map((i) => startWorker(`worker-${i}`, settings)));
    const connectionsBefore = server.connectionsOpened();
    try {
      go(workers);
      for (const share of [0.25, 0.5, 0.75]) {
        await waitFor(async () => (await sends.countDocuments()) >= share * scheduled.length, 60_000);
        server.dropConnections();
      }
      const drained = await waitFor(
        async () => (await sitemsg.store.countDispatches()).sent === scheduled.length,
        90_000,
      );
      expect(drained, workers.map((w) => w.stderr()).join('\n')).toBe(true);
    } finally {
      await stopAll(workers);
    }
    const records = await sends.find().toArray();
    expect(new Set(records.map((r) => r.dispatchId))).toEqual(new Set(scheduled));
    // The workers really lost their connections and opened new ones.
    expect(server.connectionsOpened()).toBeGreaterThan(connectionsBefore);
    // Duplicates (same dispatch id again) only from the batches in flight when a connection was cut.
    const inFlightPerCut = workers.length * settings.batchSize;
    expect(records.length - scheduled.length).toBeLessThanOrEqual(3 * inFlightPerCut);
    await sitemsg.close();
  }, 180_000);
});
