import { afterAll, onTestFinished } from 'vitest';
import { PostgresStore } from '../../src/index.js';
import { PgliteStore } from '../../src/pglite.js';
import { uniqueSchema } from './schema.js';
import { openStores } from './stores.js';

/** Where a test runs the same SQL: the PostgreSQL server, and PGlite in this process. */
export interface Backend {
  readonly name: string;
  /**
   * `count` initialised stores on one new schema, each its own instance (as separate processes
   * would hold: a suppression written through one is news to the others).
   */
  open(count: number, label: string): Promise<{ stores: PostgresStore[]; schema: string }>;
}

// One embedded database per test file (opening one runs initdb in WASM: seconds), a schema per test.
let embedded: Promise<PgliteStore> | null = null;
afterAll(async () => {
  await (await embedded)?.close();
});

function pglite(): Promise<PgliteStore> {
  embedded ??= (async () => {
    const store = new PgliteStore();
    await store.init();
    return store;
  })();
  return embedded;
}

export const backends: readonly Backend[] = [
  {
    name: 'PostgreSQL',
    open: (count, label) => openStores(count, { label }),
  },
  {
    name: 'PGlite',
    async open(count, label) {
      const base = await pglite();
      const schema = uniqueSchema(label);
      onTestFinished(async () => {
        await base.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      });
      const stores = Array.from(
        { length: count },
        () => new PostgresStore({ pool: base.pool }, { schema, listen: false }),
      );
      for (const store of stores) await store.init();
      return { stores, schema };
    },
  },
];
