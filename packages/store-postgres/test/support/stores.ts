import type { Logger } from '@sitemsg/core/plugin';
import { onTestFinished } from 'vitest';
import { PostgresStore, type PostgresStoreOptions } from '../../src/index.js';
import { dropSchema, pgUrl, uniqueSchema } from './schema.js';

/**
 * `count` initialised stores (each with its own pool, like separate processes) on a new schema;
 * closed and dropped when the test finishes.
 */
export async function openStores(
  count: number,
  options: PostgresStoreOptions & { label?: string } = {},
): Promise<{ stores: PostgresStore[]; schema: string; url: string }> {
  const { label = 'store', ...storeOptions } = options;
  const url = pgUrl();
  const schema = storeOptions.schema ?? uniqueSchema(label);
  const stores = Array.from(
    { length: count },
    () => new PostgresStore({ connectionString: url }, { ...storeOptions, schema }),
  );
  onTestFinished(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await dropSchema(url, schema);
  });
  for (const store of stores) await store.init();
  return { stores, schema, url };
}

/** A logger that keeps every line, for asserting what was reported. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (message: string): void => {
    lines.push(message);
  };
  return { lines, debug: push, info: push, warn: push, error: push };
}

export const message = {
  type: 'plain',
  context: { text: 'hello' },
  senderId: null,
  priority: 0,
  sendAt: null,
  idempotencyKey: null,
  groupMark: null,
  dispatchesReady: true,
} as const;

export function recipients(
  count: number,
  prefix = 'r',
): { messenger: string; address: string; userId: null }[] {
  return Array.from({ length: count }, (_, i) => ({
    messenger: 'test',
    address: `${prefix}${i}@x.test`,
    userId: null,
  }));
}
