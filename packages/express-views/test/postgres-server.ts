/**
 * Vitest global setup: finds the PostgreSQL the tests use (SITEMSG_PG_URL, default
 * postgres://postgres@127.0.0.1:5432/test) and, when none answers, starts a throwaway cluster from
 * the installed PostgreSQL binaries; it fails loudly when there are none. Tests read the URL with
 * `inject('pgUrl')`.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
  }
}

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/test';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const url = process.env.SITEMSG_PG_URL ?? DEFAULT_URL;
  if (await answers(url)) {
    project.provide('pgUrl', url);
    return async () => {};
  }
  const cluster = await startThrowawayCluster(url);
  project.provide('pgUrl', cluster.url);
  return cluster.stop;
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function findBinaries(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const bin = join(root, version, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return bin;
  }
  throw new Error(
    'No PostgreSQL answers at SITEMSG_PG_URL (default 127.0.0.1:5432) and no PostgreSQL binaries were found to start one: ' +
      'install them (Debian: apt-get install -y postgresql) or point SITEMSG_PG_URL at a server.',
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function startThrowawayCluster(wanted: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const bin = findBinaries();
  const dir = mkdtempSync(join(tmpdir(), 'sitemsg-pg-'));
  chmodSync(dir, 0o777);
  const port = await freePort();
  // initdb refuses to run as root: run the cluster as the postgres user then.
  const asPostgres = (cmd: string, args: string[]) =>
    process.getuid?.() === 0
      ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args], { stdio: 'pipe' })
      : execFileSync(join(bin, cmd), args, { stdio: 'pipe' });
  const data = join(dir, 'data');
  asPostgres('initdb', ['--auth=trust', '--username=postgres', '-D', data]);
  asPostgres('pg_ctl', [
    '-D',
    data,
    '-w',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
    'start',
  ]);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  console.warn(`[sitemsg tests] no PostgreSQL at ${wanted}: started a throwaway cluster at ${url} (${dir}).`);
  return {
    url,
    stop: async () => {
      asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
