import { MemoryInboxStore, PostgresInboxStore } from '../src/index.js';
import { inboxStoreConformance } from '../src/testing/index.js';
import { testSchema } from './pg.js';

const { pool, schema } = testSchema('conformance');
let n = 0;

inboxStoreConformance('memory', () => new MemoryInboxStore());
// Each test gets its own table (a fresh prefix) in this file's schema.
inboxStoreConformance('postgres', () => new PostgresInboxStore({ pool, schema, tablePrefix: `t${++n}_` }));
