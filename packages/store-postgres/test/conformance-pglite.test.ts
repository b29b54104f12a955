import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeConformance } from '@sitemsg/testing/store';
import { afterAll, beforeAll } from 'vitest';
import { PostgresStore } from '../src/index.js';
import { PgliteStore } from '../src/pglite.js';

// The same SQL on PGlite: one embedded database (persisted to a temporary directory) for the file,
// a schema per namespace, and every store of a namespace on the embedded store's one connection.
let dir: string;
let base: PgliteStore;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sitemsg-pglite-suite-'));
  base = new PgliteStore({ dataDir: join(dir, 'db') });
  await base.init();
});

afterAll(async () => {
  await base?.close();
  await rm(dir, { recursive: true, force: true });
});

storeConformance('PostgresStore on PGlite', {
  async create(namespace) {
    return new PostgresStore({ pool: base.pool }, { schema: namespace, listen: false });
  },
  async destroy(namespace) {
    await base.pool.query(`DROP SCHEMA IF EXISTS "${namespace}" CASCADE`);
  },
});
