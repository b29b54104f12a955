import { onTestFinished } from 'vitest';
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

export const backends: readonly Backend[] = [
  {
    name: 'PostgreSQL',
    open: (count, label) => openStores(count, { label }),
  },
  {
    name: 'PGlite',
    async open(count, label) {
      const base = new PgliteStore();
      onTestFinished(() => base.close());
      await base.init();
      const schema = uniqueSchema(label);
      const stores = Array.from(
        { length: count },
        () => new PostgresStore({ pool: base.pool }, { schema, listen: false }),
      );
      for (const store of stores) await store.init();
      return { stores, schema };
    },
  },
];
