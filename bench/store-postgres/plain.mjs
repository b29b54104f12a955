// The same pattern written by hand with plain `pg`, one process, one table, in two versions:
// - `minimal`, the ceiling: the least a batched SKIP LOCKED queue can do;
// - `leased`, for reference: what a queue that survives crashes needs besides (a lease owner that
//   fences the completion, an attempt count, priorities, an index to find expired leases).
// Statements are named (prepared once per connection) like sitemsg's, so that neither side pays
// a parse the other does not.

const TABLES = {
  minimal: {
    columns: `id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, address text NOT NULL, payload jsonb NOT NULL,
      status text NOT NULL DEFAULT 'pending', locked_until timestamptz`,
    indexes: ["(id) WHERE status = 'pending'"],
    claim: (t, batch) => `UPDATE ${t} SET status = 'processing', locked_until = now() + interval '30 seconds'
      WHERE id = ANY(ARRAY(SELECT id FROM ${t} WHERE status = 'pending' ORDER BY id FOR UPDATE SKIP LOCKED LIMIT ${batch}))
      RETURNING id, address, payload`,
    claimValues: [],
    markSent: (t) => `UPDATE ${t} SET status = 'sent', locked_until = NULL WHERE id = ANY($1::bigint[])`,
    markValues: (ids) => [ids],
  },
  leased: {
    columns: `id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, address text NOT NULL, payload jsonb NOT NULL,
      priority integer NOT NULL DEFAULT 0, status text NOT NULL DEFAULT 'pending', attempts integer NOT NULL DEFAULT 0,
      lease_owner text, locked_until timestamptz, sent_at timestamptz`,
    indexes: ["(priority DESC, id) WHERE status = 'pending'", "(locked_until) WHERE status = 'processing'"],
    claim: (t, batch) => `UPDATE ${t} SET status = 'processing', attempts = attempts + 1, lease_owner = $1,
        locked_until = now() + interval '30 seconds'
      WHERE id = ANY(ARRAY(SELECT id FROM ${t} WHERE status = 'pending' ORDER BY priority DESC, id
        FOR UPDATE SKIP LOCKED LIMIT ${batch}))
      RETURNING id, address, payload, attempts`,
    claimValues: ['worker-1'],
    markSent: (
      t,
    ) => `UPDATE ${t} SET status = 'sent', sent_at = now(), lease_owner = NULL, locked_until = NULL
      WHERE id = ANY($1::bigint[]) AND status = 'processing' AND lease_owner = $2`,
    markValues: (ids) => [ids, 'worker-1'],
  },
};

export async function createPlain(pool, schema, kind) {
  const table = `${schema}.jobs`;
  await pool.query(`CREATE SCHEMA ${schema}`);
  await pool.query(`CREATE TABLE ${table} (${TABLES[kind].columns})`);
  for (const index of TABLES[kind].indexes) await pool.query(`CREATE INDEX ON ${table} ${index}`);
  return { table, kind };
}

/** One bulk insert: 1,000 rows by `unnest`, one round trip. */
export function plainInsert(pool, { table, kind }, addresses) {
  return pool.query({
    name: `${kind}_insert`,
    text: `INSERT INTO ${table} (address, payload) SELECT a, $2::jsonb FROM unnest($1::text[]) a`,
    values: [addresses, JSON.stringify({ text: 'hello' })],
  });
}

/** Claim a batch with SKIP LOCKED and a lock expiry, then mark it sent: two round trips per batch. */
export async function plainDrain(pool, { table, kind }, batch) {
  const spec = TABLES[kind];
  let done = 0;
  for (;;) {
    const { rows } = await pool.query({
      name: `${kind}_claim`,
      text: spec.claim(table, batch),
      values: spec.claimValues,
    });
    if (rows.length === 0) return done;
    await pool.query({
      name: `${kind}_mark_sent`,
      text: spec.markSent(table),
      values: spec.markValues(rows.map((r) => r.id)),
    });
    done += rows.length;
  }
}
