import { StoreError } from '@sitemsg/core/plugin';
import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import { isConnectionFailure, storeError } from '../src/db.js';
import { pgUrl } from './support/schema.js';

/** A client of its own, ended when the test finishes. */
async function connect(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: pgUrl() });
  client.on('error', () => {});
  await client.connect();
  onTestFinished(() => client.end().catch(() => {}));
  return client;
}

async function failure(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected the statement to fail');
}

describe('telling an unreachable PostgreSQL from a refused statement', () => {
  it('marks a terminated connection unavailable', async () => {
    const victim = await connect();
    const admin = await connect();
    const { rows } = await victim.query<{ pid: number }>('select pg_backend_pid() as pid');
    const terminated = await failure(async () => {
      await admin.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
      await victim.query('select 1');
    });
    expect(isConnectionFailure(terminated)).toBe(true);
    const wrapped = storeError('complete', terminated);
    expect(StoreError.isInstance(wrapped) && wrapped.unavailable).toBe(true);
  });

  it('marks a refused connection unavailable', async () => {
    const refused = await failure(() =>
      new pg.Client({ host: '127.0.0.1', port: 1, connectionTimeoutMillis: 2_000 }).connect(),
    );
    expect(isConnectionFailure(refused)).toBe(true);
  });

  it('does not mark a statement the server refused', async () => {
    const client = await connect();
    const nul = await failure(() => client.query('select $1::text', ['a\u0000b']));
    const tooLong = await failure(() => client.query(`select 'abcdef'::varchar(2)::text, 1/0`));
    for (const error of [nul, tooLong]) {
      expect(isConnectionFailure(error)).toBe(false);
      const wrapped = storeError('complete', error);
      expect(StoreError.isInstance(wrapped) && wrapped.unavailable).toBe(false);
    }
  });
});
