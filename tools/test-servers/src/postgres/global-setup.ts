import type { TestProject } from 'vitest/node';
import {
  configuredPgUrl,
  DEBIAN_PG_ROOT,
  findPostgresBinaries,
  noPostgresHelp,
  pgAnswers,
  redactPgUrl,
} from './server.js';
import { startThrowawayPostgres, type ThrowawayPostgres } from './throwaway.js';

export interface EnsurePostgresOptions {
  /** The server to try first; default SITEMSG_PG_URL, else `postgres://postgres@127.0.0.1:5432/test`. */
  readonly url?: string;
  /** Where to look for PostgreSQL's binaries; default `/usr/lib/postgresql`. */
  readonly binariesRoot?: string;
}

export interface EnsuredPostgres {
  readonly url: string;
  /** The cluster started because nothing answered at the configured URL, else null. */
  readonly cluster: ThrowawayPostgres | null;
}

/**
 * A server for the tests: the configured one if it answers, else a throwaway cluster from the
 * installed binaries (said on the console), else a failure that says how to get PostgreSQL.
 */
export async function ensurePostgres(options: EnsurePostgresOptions = {}): Promise<EnsuredPostgres> {
  const url = options.url ?? configuredPgUrl();
  if (await pgAnswers(url)) return { url, cluster: null };
  const root = options.binariesRoot ?? DEBIAN_PG_ROOT;
  if (!findPostgresBinaries(root)) throw new Error(noPostgresHelp(root, url));
  const cluster = await startThrowawayPostgres({ binariesRoot: root });
  console.warn(
    `[sitemsg tests] nothing answers at ${redactPgUrl(url)}: started a throwaway PostgreSQL cluster at ${cluster.url} (data in ${cluster.dataDir}, removed after the run).`,
  );
  return { url: cluster.url, cluster };
}

/**
 * Vitest global setup (`export { setup } from '@sitemsg-internal/test-servers/postgres'` in the
 * file named by `test.globalSetup`): finds or starts one server for the whole run and provides its
 * URL to tests as `inject('pgUrl')`. The function it returns is Vitest's teardown.
 */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { url, cluster } = await ensurePostgres();
  project.provide('pgUrl', url);
  return async () => {
    await cluster?.remove();
  };
}
