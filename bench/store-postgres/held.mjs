// What a claim pays for the rows that batches in flight hold: a leased row stays in the claim
// index (so that claiming is an in-place update), and every claim reads past the live leases.
// Each count gets a fresh schema: `held` rows leased to another worker for an hour, then timed
// claims of one batch by the statement the store runs, each rolled back so that `held` stays put.
import { core, NoopMessenger, PostgresStore } from './deps.mjs';

const TIMED = 31;
const HOLDER = 'ip-10-0-1-23.internal:4242:k3x9q1';

/** Median milliseconds of one claim of `batch` with `held` rows leased ahead of it in the queue. */
async function claimPast(url, schema, held, batch) {
  const store = new PostgresStore(
    { connectionString: url, poolConfig: { max: 1 } },
    { schema, listen: false },
  );
  await store.pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  const sitemsg = core.createSitemsg({ store, messengers: [new NoopMessenger()] });
  await sitemsg.init();
  for (let start = 0; start < held + 2 * batch; start += 1000) {
    const addresses = Array.from({ length: 1000 }, (_, i) => `h${start + i}@x.test`);
    await sitemsg.scheduleMessages('hello', sitemsg.recipients('noop', addresses));
  }
  const now = new Date();
  for (let leased = 0; leased < held; leased += 1000) {
    await store.claim({ owner: HOLDER, limit: Math.min(1000, held - leased), now, leaseMs: 3_600_000 });
  }
  await store.pool.query(`VACUUM ANALYZE ${schema}.sitemsg_dispatches`);
  const claim = store.claimStatement({ limit: batch });
  const client = await store.pool.connect();
  const times = [];
  try {
    for (let i = 0; i < TIMED; i++) {
      await client.query('BEGIN');
      const start = performance.now();
      const { rowCount } = await client.query(claim.text, claim.values);
      times.push(performance.now() - start);
      await client.query('ROLLBACK');
      if (rowCount !== batch) throw new Error(`claimed ${rowCount} of ${batch} past ${held} held rows`);
    }
  } finally {
    client.release();
    await store.pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await sitemsg.close();
  }
  return times.sort((a, b) => a - b)[Math.floor(TIMED / 2)];
}

/** `{ held, ms }` for each count, and the cost per held row from the largest against none. */
export async function heldRowCost(url, schema, counts, batch) {
  const results = [];
  for (const held of counts) results.push({ held, ms: await claimPast(url, schema, held, batch) });
  const [none, most] = [results[0], results[results.length - 1]];
  return { results, timed: TIMED, usPerHeldRow: ((most.ms - none.ms) * 1000) / (most.held - none.held) };
}
