import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, inject } from 'vitest';

/**
 * A pool on the test database and a schema of its own for one test file, dropped after the file.
 * Each file calls it once at the top level.
 */
export function testSchema(label: string): { pool: pg.Pool; schema: string; url: string } {
  const url = inject('pgUrl');
  const schema = `t_${label}_${randomBytes(4).toString('hex')}`;
  const pool = new pg.Pool({ connectionString: url, max: 5 });
  afterAll(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  });
  return { pool, schema, url };
}
