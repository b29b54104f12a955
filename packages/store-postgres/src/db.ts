import { createHash } from 'node:crypto';
import { describeError, SitemsgError, StoreError } from '@sitemsg/core/plugin';
import type { Pool, PoolClient, QueryConfig, QueryResultRow } from 'pg';

/** What a statement runs on: the pool, a pooled client inside a transaction, or the application's client. */
export interface Queryable {
  query<R extends QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
  query<R extends QueryResultRow>(config: QueryConfig): Promise<{ rows: R[]; rowCount: number | null }>;
}

/** Distinct hot statements per store: a handful of texts per schema, prefix and claim filter. */
const MAX_NAMED = 64;

/** Turns a driver error into a StoreError naming the operation; sitemsg's own errors pass through. */
export function storeError(operation: string, error: unknown): Error {
  if (SitemsgError.isInstance(error)) return error;
  return new StoreError(
    `[sitemsg] [postgres] ${operation} failed: ${describeError(error)}. Check that PostgreSQL is reachable and the schema is migrated (store.init()).`,
    { cause: error, unavailable: isConnectionFailure(error) },
  );
}

/**
 * SQLSTATEs of a server that could not be talked to (class 08 connection exceptions, shutdowns,
 * too many connections), not of one that refused the statement.
 */
const UNAVAILABLE_STATES = /^(08|57P0[1-3]$|53300$)/;
/** What node and pg say when the socket went away or no pooled connection came in time. */
const UNAVAILABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND']);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|Client was closed/i;

/** True when `error` says PostgreSQL could not be reached rather than that it refused the statement. */
export function isConnectionFailure(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_STATES.test(code) || UNAVAILABLE_CODES.has(code))) return true;
  return error instanceof Error && UNAVAILABLE_MESSAGES.test(error.message);
}

/** The pool plus the two ways the store talks to it: one statement, or one transaction. */
export class Db {
  readonly pool: Pool;
  private readonly prepare: boolean;
  private readonly names = new Map<string, string>();

  constructor(pool: Pool, prepare: boolean) {
    this.pool = pool;
    this.prepare = prepare;
  }

  async query<R extends QueryResultRow>(
    operation: string,
    text: string,
    values: unknown[] = [],
    on: Queryable = this.pool,
  ): Promise<{ rows: R[]; rowCount: number }> {
    return this.run<R>(operation, { text, values }, on);
  }

  /**
   * A statement of the send and schedule paths, run as a named prepared statement: each pooled
   * connection parses it once, instead of once per batch. The name is a digest of the text, so
   * that two texts never share a name on one connection.
   */
  async hot<R extends QueryResultRow>(
    operation: string,
    text: string,
    values: unknown[],
    on: Queryable = this.pool,
  ): Promise<{ rows: R[]; rowCount: number }> {
    const name = this.nameOf(text);
    return this.run<R>(operation, name === null ? { text, values } : { name, text, values }, on);
  }

  private async run<R extends QueryResultRow>(
    operation: string,
    config: QueryConfig,
    on: Queryable,
  ): Promise<{ rows: R[]; rowCount: number }> {
    try {
      const result = await on.query<R>(config);
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    } catch (error) {
      throw storeError(operation, error);
    }
  }

  private nameOf(text: string): string | null {
    if (!this.prepare) return null;
    const known = this.names.get(text);
    if (known !== undefined) return known;
    if (this.names.size >= MAX_NAMED) return null;
    const name = `sitemsg_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    this.names.set(text, name);
    return name;
  }

  /** Runs `work` inside BEGIN/COMMIT on one pooled client; a client whose connection broke is discarded. */
  async transaction<T>(operation: string, work: (client: PoolClient) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw storeError(operation, error);
    }
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      throw storeError(operation, error);
    } finally {
      client.release(broken);
    }
  }
}

/**
 * Runs `work` atomically on the application's client: under a savepoint when it is inside a
 * transaction (so a failure leaves the application's transaction usable), else in BEGIN/COMMIT.
 */
export async function atomicallyOn<T>(
  client: Queryable,
  operation: string,
  work: (client: Queryable) => Promise<T>,
): Promise<T> {
  try {
    await client.query('SAVEPOINT sitemsg_schedule');
  } catch (error) {
    if ((error as { code?: string }).code !== '25P01') throw storeError(operation, error);
    return inOwnTransaction(client, operation, work);
  }
  try {
    const result = await work(client);
    await client.query('RELEASE SAVEPOINT sitemsg_schedule');
    return result;
  } catch (error) {
    await client.query('ROLLBACK TO SAVEPOINT sitemsg_schedule').catch(() => undefined);
    throw storeError(operation, error);
  }
}

async function inOwnTransaction<T>(
  client: Queryable,
  operation: string,
  work: (client: Queryable) => Promise<T>,
): Promise<T> {
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw storeError(operation, error);
  }
}

/** Ids are bigints; anything else cannot name a row, so lookups answer "not found" instead of a SQL error. */
export function isRowId(id: unknown): id is string {
  return typeof id === 'string' && /^[1-9][0-9]{0,17}$/.test(id);
}

const NEEDS_ESCAPE = /[\\"]/;

/**
 * A `text[]` literal (`{"a","b",NULL}`). The driver builds the same with two regular expressions
 * per element; a thousand addresses per message made that a measurable part of scheduling.
 */
export function textArray(values: readonly (string | null)[]): string {
  let literal = '{';
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (i > 0) literal += ',';
    if (value === null) literal += 'NULL';
    else if (NEEDS_ESCAPE.test(value)) literal += `"${value.replace(/[\\"]/g, '\\$&')}"`;
    else literal += `"${value}"`;
  }
  return `${literal}}`;
}
