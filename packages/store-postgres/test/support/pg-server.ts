import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** The server tests use: SITEMSG_PG_URL, else the development and CI machines' cluster. */
export function configuredUrl(): string {
  return process.env.SITEMSG_PG_URL ?? DEFAULT_PG_URL;
}

/** Whether a server answers a query at `url` within `timeoutMs`. */
export async function answers(url: string, timeoutMs = 3000): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
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

/** The directory holding initdb and pg_ctl: Debian's /usr/lib/postgresql/<version>/bin, newest first. */
export function findBinaries(): string | null {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const version of versions) {
    const bin = join(root, version, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return bin;
  }
  return null;
}

export const NO_BINARIES_HELP =
  'No PostgreSQL server answers at SITEMSG_PG_URL (default postgres://postgres@127.0.0.1:5432/test) and no PostgreSQL binaries were found under /usr/lib/postgresql/*/bin. Install them (Debian/Ubuntu: apt-get install -y postgresql) or point SITEMSG_PG_URL at a server with trust or password authentication.';

/** A PostgreSQL cluster of its own on a free port, in a temporary directory, removed at the end. */
export interface ThrowawayCluster {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  remove(): Promise<void>;
}

/** PostgreSQL refuses to run as root: as root, its binaries run as the `postgres` user. */
async function asServerUser(bin: string, args: string[]): Promise<void> {
  const root = userInfo().uid === 0;
  const [file, argv] = root ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  await run(file, argv, { timeout: 60_000 });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startThrowawayCluster(): Promise<ThrowawayCluster> {
  const bin = findBinaries();
  if (!bin) throw new Error(NO_BINARIES_HELP);
  const dataDir = await mkdtemp(join(tmpdir(), 'sitemsg-pg-'));
  if (userInfo().uid === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dataDir, Number(stdout.trim()), Number(gid.trim()));
  }
  const port = await freePort();
  await asServerUser(join(bin, 'initdb'), ['--auth=trust', '-U', 'postgres', '--no-sync', '-D', dataDir]);
  const options = `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const start = (): Promise<void> =>
    asServerUser(join(bin, 'pg_ctl'), [
      '-D',
      dataDir,
      '-o',
      options,
      '-l',
      join(dataDir, 'server.log'),
      '-w',
      'start',
    ]);
  const stop = (): Promise<void> =>
    asServerUser(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    start,
    stop,
    async remove() {
      await stop().catch(() => undefined);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A server for the tests: the configured one if it answers, else a throwaway cluster from the
 * installed binaries (said on the console), else a failure that says how to get PostgreSQL.
 */
export async function ensurePostgres(): Promise<{ url: string; cluster: ThrowawayCluster | null }> {
  const url = configuredUrl();
  if (await answers(url)) return { url, cluster: null };
  if (!findBinaries()) throw new Error(NO_BINARIES_HELP);
  const cluster = await startThrowawayCluster();
  console.warn(
    `[store-postgres tests] nothing answers at ${url}: started a throwaway PostgreSQL cluster at ${cluster.url} (data in ${cluster.dataDir}, removed after the run).`,
  );
  return { url: cluster.url, cluster };
}
