import { execFile } from 'node:child_process';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEBIAN_PG_ROOT, findPostgresBinaries, noPostgresHelp } from './server.js';

const run = promisify(execFile);

/** A PostgreSQL cluster of its own on a free port, in a temporary directory. */
export interface ThrowawayPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`, trust authentication. */
  readonly url: string;
  readonly port: number;
  /** The data directory, also the Unix socket directory and home of `server.log`. */
  readonly dataDir: string;
  /** Stops the server (fast shutdown: open connections are terminated); the data stays. */
  stop(): Promise<void>;
  /** Starts the stopped server again on the same port, with the same data. */
  start(): Promise<void>;
  /** Stops and starts it: every open connection is terminated. */
  restart(): Promise<void>;
  /** Stops it if running and deletes the data directory. */
  remove(): Promise<void>;
}

export interface ThrowawayPostgresOptions {
  /** Where to look for `<version>/bin/initdb` and `pg_ctl`; default `/usr/lib/postgresql`. */
  readonly binariesRoot?: string;
}

/**
 * initdb and pg_ctl from the installed binaries, as the `postgres` user when run as root (PostgreSQL
 * refuses to run as root). Fails, saying how to install PostgreSQL, when there are no binaries.
 */
export async function startThrowawayPostgres(
  options: ThrowawayPostgresOptions = {},
): Promise<ThrowawayPostgres> {
  const root = options.binariesRoot ?? DEBIAN_PG_ROOT;
  const bin = findPostgresBinaries(root);
  if (!bin) throw new Error(noPostgresHelp(root));
  const dataDir = await mkdtemp(join(tmpdir(), 'sitemsg-pg-'));
  try {
    return await initAndStart(bin, dataDir);
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

async function initAndStart(bin: string, dataDir: string): Promise<ThrowawayPostgres> {
  if (isRoot()) await giveToPostgresUser(dataDir);
  const port = await freePort();
  await asServerUser(join(bin, 'initdb'), ['--auth=trust', '-U', 'postgres', '--no-sync', '-D', dataDir]);
  // Durability is worthless for a cluster deleted after the run; fsync=off keeps it quick.
  const options = `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const pgCtl = join(bin, 'pg_ctl');
  const start = (): Promise<void> =>
    asServerUser(pgCtl, ['-D', dataDir, '-o', options, '-l', join(dataDir, 'server.log'), '-w', 'start']);
  const stop = (): Promise<void> => asServerUser(pgCtl, ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    start,
    stop,
    async restart() {
      await stop();
      await start();
    },
    async remove() {
      await stop().catch(() => undefined);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function isRoot(): boolean {
  return userInfo().uid === 0;
}

async function giveToPostgresUser(dir: string): Promise<void> {
  try {
    const { stdout: uid } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(uid.trim()), Number(gid.trim()));
  } catch (cause) {
    throw new Error(
      '[sitemsg] [test-servers/postgres] Running as root, the throwaway PostgreSQL cluster must run as the `postgres` user, which is missing or cannot own the data directory: install PostgreSQL from the distribution (it creates the user) or run the tests as another user.',
      { cause },
    );
  }
}

async function asServerUser(file: string, args: string[]): Promise<void> {
  const [command, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
  await run(command, argv, { timeout: 60_000 });
}

function freePort(): Promise<number> {
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
