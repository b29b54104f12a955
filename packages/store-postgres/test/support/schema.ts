import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

/** The server URL the global setup found or started. */
export function pgUrl(): string {
  return inject('pgUrl');
}

/** A schema name of its own for one test file or test (random suffix, so runs never collide). */
export function uniqueSchema(label: string): string {
  return `t_${label}_${randomBytes(4).toString('hex')}`;
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
