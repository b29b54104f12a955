import { ManualClock } from '@sitemsg/core';
import {
  InboxService,
  type InboxServiceOptions,
  type InboxStore,
  MemoryInboxStore,
  PostgresInboxStore,
} from '../src/index.js';
import { MongoInboxStore } from '../src/mongo/index.js';
import { testMongo } from './mongo.js';
import { testSchema } from './pg.js';

export interface StoreKind {
  readonly name: string;
  make(): InboxStore;
}

/**
 * The stores every service-level test runs against: memory, PostgreSQL (a table per call) and
 * MongoDB on the test server (a collection per call, one shared client).
 */
export function storeKinds(label: string): StoreKind[] {
  const { pool, schema } = testSchema(label);
  const { client, dbName } = testMongo(label);
  let n = 0;
  return [
    { name: 'memory', make: () => new MemoryInboxStore() },
    { name: 'postgres', make: () => new PostgresInboxStore({ pool, schema, tablePrefix: `s${++n}_` }) },
    { name: 'mongo', make: () => new MongoInboxStore({ client, dbName }, { collectionPrefix: `s${++n}_` }) },
  ];
}

export function service(
  kind: StoreKind,
  options: Omit<InboxServiceOptions, 'store' | 'clock'> = {},
): { inbox: InboxService; clock: ManualClock; store: InboxStore } {
  const clock = new ManualClock(new Date('2026-03-01T12:00:00Z'));
  const store = kind.make();
  return { inbox: new InboxService({ store, clock, ...options }), clock, store };
}
