import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

/** The server the tests use on development and CI machines (trust authentication). */
export const DEFAULT_PG_URL: string = 'postgres://postgres@127.0.0.1:5432/test';

/** Where Debian and Ubuntu install PostgreSQL's binaries, one folder per major version. */
export const DEBIAN_PG_ROOT: string = '/usr/lib/postgresql';

/** The server tests use: SITEMSG_PG_URL, else {@link DEFAULT_PG_URL}. */
export function configuredPgUrl(): string {
  return process.env.SITEMSG_PG_URL ?? DEFAULT_PG_URL;
}

/** Whether a server answers a query at `url` within `timeoutMs`. */
export async function pgAnswers(url: string, timeoutMs = 3000): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  // A server that drops the connection emits 'error' after connect failed: nothing to report.
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

/** The folder holding initdb and pg_ctl under `root` (`<root>/<version>/bin`), newest version first. */
export function findPostgresBinaries(root: string = DEBIAN_PG_ROOT): string | null {
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

/** The URL without its password, for messages (SITEMSG_PG_URL may carry one). */
export function redactPgUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/** The loud failure when there is neither a server at `url` nor binaries to start one. */
export function noPostgresHelp(root: string, url?: string): string {
  const server = url ? `No PostgreSQL server answers at ${redactPgUrl(url)} (SITEMSG_PG_URL) and no` : 'No';
  return (
    `[sitemsg] [test-servers/postgres] ${server} PostgreSQL binaries were found under ${root}/*/bin to start a throwaway cluster: ` +
    'install them (Debian/Ubuntu: apt-get install -y postgresql) or point SITEMSG_PG_URL at a server with trust or password authentication.'
  );
}
