import { constants } from 'node:fs';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ConfigurationError, describeError } from '@sitemsg/core/plugin';
import { type PostgresStoreOptions, STORE_OPTION_KEYS } from './options.js';
import { PostgresStore } from './postgres-store.js';

export interface PgliteStoreOptions extends Omit<PostgresStoreOptions, 'listen'> {
  /** Where PGlite keeps its files; omitted: in memory, gone when the store closes. */
  readonly dataDir?: string;
}

/** What `init()` opened, closed in reverse order. */
interface Embedded {
  readonly db: { close(): Promise<void> };
  readonly server: { stop(): Promise<void> };
  readonly socketDir: string;
  readonly lockFile: string | null;
}

/**
 * The Postgres store on PGlite (PostgreSQL compiled to WASM, in this process), with the same SQL
 * through `pg` and `@electric-sql/pglite-socket` on a private Unix socket. For one process:
 * PGlite has one session, so workers in other processes cannot share it, and the store holds a
 * lock file beside `dataDir` so that a second process fails instead of corrupting it.
 */
export class PgliteStore extends PostgresStore {
  private readonly dataDir: string | null;
  private readonly socketDir: string;
  private embedded: Embedded | null = null;

  /** `misplaced` catches a second argument from JavaScript: PgliteStore takes one. */
  constructor(options: PgliteStoreOptions = {}, ...misplaced: never[]) {
    checkPgliteOptions(options, misplaced);
    const { dataDir, ...storeOptions } = options;
    if (dataDir !== undefined && (typeof dataDir !== 'string' || dataDir.length === 0)) {
      throw new ConfigurationError('[sitemsg] [pglite] dataDir must be a non-empty path.');
    }
    const socketDir = join(
      tmpdir(),
      `sitemsg-pglite-${process.pid}-${Math.random().toString(36).slice(2, 10)}`,
    );
    super(
      {
        connectionString: `postgres://postgres@localhost/postgres?host=${encodeURIComponent(socketDir)}`,
        // PGlite runs one session: one connection, and no second one for LISTEN.
        poolConfig: { max: 1, idleTimeoutMillis: 0 },
      },
      { ...storeOptions, listen: false },
    );
    this.dataDir = dataDir === undefined ? null : resolve(dataDir);
    this.socketDir = socketDir;
  }

  override async init(): Promise<void> {
    if (!this.embedded) this.embedded = await openEmbedded(this.dataDir, this.socketDir);
    await super.init();
  }

  override async close(): Promise<void> {
    await super.close();
    const embedded = this.embedded;
    this.embedded = null;
    if (!embedded) return;
    await embedded.server.stop();
    await embedded.db.close();
    await rm(embedded.socketDir, { recursive: true, force: true });
    if (embedded.lockFile) await rm(embedded.lockFile, { force: true });
  }
}

/** The store options PgliteStore passes on (no `listen`: PGlite has one session, nothing to LISTEN on). */
const PASSED_ON = [...STORE_OPTION_KEYS].filter((key) => key !== 'listen');

/**
 * PgliteStore takes ONE argument, its options and `dataDir` together: a connection key, `listen`
 * or a second argument would otherwise be ignored in silence (tables in `public`, say).
 */
function checkPgliteOptions(options: unknown, misplaced: readonly unknown[]): void {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError(
      '[sitemsg] [pglite] PgliteStore takes one options object: { dataDir?, schema?, ... }.',
    );
  }
  if (misplaced.length > 0) {
    const keys = typeof misplaced[0] === 'object' && misplaced[0] !== null ? Object.keys(misplaced[0]) : [];
    throw new ConfigurationError(
      `[sitemsg] [pglite] PgliteStore takes one argument: put ${keys.length > 0 ? keys.map((k) => `"${k}"`).join(', ') : 'the store options'} in it, beside dataDir (new PgliteStore({ dataDir, schema })).`,
    );
  }
  for (const key of Object.keys(options)) {
    if (key === 'dataDir' || PASSED_ON.includes(key)) continue;
    if (key === 'pool' || key === 'connectionString' || key === 'poolConfig') {
      throw new ConfigurationError(
        `[sitemsg] [pglite] "${key}" does not apply to PgliteStore, which runs its own database in this process: use PostgresStore for a PostgreSQL server.`,
      );
    }
    if (key === 'listen') {
      throw new ConfigurationError(
        '[sitemsg] [pglite] "listen" is not available on PGlite (one session, no second connection to LISTEN on): workers in this process are woken directly.',
      );
    }
    throw new ConfigurationError(
      `[sitemsg] [pglite] Unknown option "${key}": PgliteStore takes dataDir, ${PASSED_ON.join(', ')}.`,
    );
  }
}

async function openEmbedded(dataDir: string | null, socketDir: string): Promise<Embedded> {
  const [{ PGlite }, { PGLiteSocketServer }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite-socket'),
  ]).catch((cause: unknown) => {
    throw new ConfigurationError(
      `[sitemsg] [pglite] PgliteStore needs @electric-sql/pglite and @electric-sql/pglite-socket: install them (${describeError(cause)}).`,
      { cause },
    );
  });
  const lockFile = dataDir === null ? null : await takeLock(dataDir);
  try {
    const db = dataDir === null ? new PGlite() : new PGlite(dataDir);
    await db.waitReady;
    await mkdir(socketDir, { recursive: true, mode: 0o700 });
    const server = new PGLiteSocketServer({ db, path: join(socketDir, '.s.PGSQL.5432') });
    await server.start();
    return { db, server, socketDir, lockFile };
  } catch (error) {
    if (lockFile) await rm(lockFile, { force: true });
    throw error;
  }
}

/**
 * PGlite has no lock between processes (two of them on one directory lose writes), so the store
 * holds `<dataDir>.lock` with its pid; a lock left by a dead process is taken over.
 */
async function takeLock(dataDir: string): Promise<string> {
  const lockFile = `${dataDir}.lock`;
  await mkdir(dirname(lockFile), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockFile, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      return lockFile;
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
      const holder = Number((await readFile(lockFile, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
        throw new ConfigurationError(
          `[sitemsg] [pglite] ${dataDir} is in use by process ${holder} (lock file ${lockFile}): PGlite serves one process; use PostgreSQL for several workers.`,
        );
      }
      await rm(lockFile, { force: true });
    }
  }
  throw new ConfigurationError(`[sitemsg] [pglite] could not take the lock file ${lockFile}: retry.`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}
