// The benchmark runs the built packages: dependencies resolve from @sitemsg/store-postgres's own
// node_modules (the bench folder is not a workspace package).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const packageDir = join(here, '..', '..', 'packages', 'store-postgres');
const require = createRequire(join(packageDir, 'package.json'));

// BENCH_STORE_DIST: another build of the store to measure (e.g. an older one, to compare).
const storeDist = process.env.BENCH_STORE_DIST ?? join(packageDir, 'dist', 'index.js');
// BENCH_CORE_DIST: another build of the core (the engine) to measure, e.g. with a local patch.
const coreDist = process.env.BENCH_CORE_DIST ?? require.resolve('@sitemsg/core');
for (const file of [storeDist, coreDist]) {
  if (!existsSync(file)) {
    throw new Error(
      `${file} is missing: build first (pnpm --filter @sitemsg/core build && pnpm --filter @sitemsg/store-postgres build).`,
    );
  }
}

// The plugin entry sits beside the app entry in core's dist; a build from before it existed
// exported everything from the app entry.
const corePluginDist = join(dirname(coreDist), 'plugin.js');

export const core = await import(pathToFileURL(coreDist).href);
const corePlugin = existsSync(corePluginDist) ? await import(pathToFileURL(corePluginDist).href) : core;
export const { PostgresStore } = await import(pathToFileURL(storeDist).href);
export const pg = (await import(pathToFileURL(require.resolve('pg')).href)).default;
export const loadPgBoss = async () => (await import(pathToFileURL(require.resolve('pg-boss')).href)).default;

export const url = process.env.SITEMSG_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A messenger that accepts everything at once: the benchmark measures the store and the engine. */
export class NoopMessenger extends corePlugin.Messenger {
  static alias = 'noop';
  async send(batch) {
    return batch.map((o) => ({ dispatchId: o.dispatch.id, result: corePlugin.ok({}) }));
  }
}
