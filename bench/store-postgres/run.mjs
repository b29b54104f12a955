// sitemsg's PostgresStore against a plain-pg ceiling and pg-boss, on one database, in one run.
// Usage: node bench/store-postgres/run.mjs
//   SITEMSG_PG_URL, BENCH_DISPATCHES (100000), BENCH_ROUNDS (5), BENCH_PGBOSS (1; 0 skips pg-boss)
import { fork } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bossDrain, bossInsert, startBoss } from './boss.mjs';
import { core, NoopMessenger, PostgresStore, pg, url } from './deps.mjs';
import { heldRowCost } from './held.mjs';
import { createPlain, plainDrain, plainInsert } from './plain.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const N = Number(process.env.BENCH_DISPATCHES ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const WITH_BOSS = process.env.BENCH_PGBOSS !== '0';
const WARMUP = Math.max(1000, Math.round(N / 10));
const SINGLES = 1000;
const BOSS_SMALL = 10_000;
const CHUNK = 1000;
const BATCH = 100;
const SCHEMAS = {
  sitemsg: 'bench_sitemsg',
  warm: 'bench_sitemsg_warm',
  plain: 'bench_plain',
  leased: 'bench_leased',
  boss: 'bench_pgboss',
  held: 'bench_held',
};

const pool = new pg.Pool({ connectionString: url, max: 2 });
const rate = (count, ms) => Math.round((count / ms) * 1000);
async function timed(fn) {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}
const addressesOf = (prefix, start, size) =>
  Array.from({ length: Math.min(CHUNK, size - start) }, (_, i) => `${prefix}${start + i}@x.test`);

async function dropSchemas(which = Object.values(SCHEMAS)) {
  for (const schema of which) await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
}

/** Fresh statistics, so that no planner works from an empty table's. */
async function analyze(schemas) {
  const { rows } = await pool.query(
    `SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables WHERE schemaname = ANY($1)`,
    [schemas],
  );
  for (const { name } of rows) await pool.query(`VACUUM ANALYZE ${name}`);
}

/** The engine in this process, for scheduling; counts the statements its connections run. */
async function openSitemsg(schema = SCHEMAS.sitemsg) {
  const store = new PostgresStore(
    { connectionString: url, poolConfig: { max: 2 } },
    { schema, listen: false },
  );
  const counter = { statements: 0 };
  store.pool.on('connect', (client) => {
    const query = client.query.bind(client);
    client.query = (...args) => {
      counter.statements++;
      return query(...args);
    };
  });
  const sitemsg = core.createSitemsg({ store, messengers: [new NoopMessenger()] });
  await sitemsg.init();
  counter.statements = 0;
  return { sitemsg, counter };
}

const schedule = (sitemsg, addresses) =>
  sitemsg.scheduleMessages('hello', sitemsg.recipients('noop', addresses));

/** Rows each worker drains before "go" (untimed), so that the timed drain runs warm. */
const WARM_PER_WORKER = 5000;

/** sitemsg's send rate with `count` worker processes, from "go" to the last one done. */
async function sitemsgSend(count, size, concurrency = 1, storeOptions = {}) {
  const warm = await openSitemsg(SCHEMAS.warm);
  for (let start = 0; start < count * WARM_PER_WORKER; start += CHUNK) {
    await schedule(warm.sitemsg, addressesOf('w', start, count * WARM_PER_WORKER));
  }
  await warm.sitemsg.close();
  const workers = Array.from({ length: count }, (_, i) =>
    fork(join(here, 'worker.mjs'), [], {
      env: {
        ...process.env,
        BENCH_WORKER: JSON.stringify({
          url,
          schema: SCHEMAS.sitemsg,
          warmSchema: SCHEMAS.warm,
          workerId: `bench-${i}`,
          concurrency,
          storeOptions,
        }),
      },
    }),
  );
  const message = (child, type) =>
    new Promise((resolve) => child.on('message', (m) => m.type === type && resolve(m)));
  await Promise.all(workers.map((w) => message(w, 'ready')));
  const { ms, value: results } = await timed(() => {
    const done = workers.map((w) => message(w, 'done'));
    for (const w of workers) w.send('go');
    return Promise.all(done);
  });
  const sum = (key) => results.reduce((total, r) => total + r[key], 0);
  const sent = results.reduce((total, r) => total + r.counts.sent, 0);
  if (sent !== size) throw new Error(`sitemsg sent ${sent} of ${size} with ${count} workers`);
  return {
    rate: rate(size, ms),
    statementsPerBatch: sum('statements') / sum('batches'),
    cpuUsPerDispatch: (sum('cpuMs') * 1000) / size,
  };
}

/**
 * One round on fresh tables: inserts chunk by chunk in turn (the order rotates every chunk), then
 * the drains of the two plain tables and sitemsg's one-worker drain (the order rotates every
 * round), then sitemsg again with two workers on a refill, then single-recipient messages.
 */
async function round(size, index) {
  await dropSchemas([SCHEMAS.plain, SCHEMAS.leased, SCHEMAS.sitemsg]);
  const tables = {
    plain: await createPlain(pool, SCHEMAS.plain, 'minimal'),
    leased: await createPlain(pool, SCHEMAS.leased, 'leased'),
  };
  const { sitemsg, counter } = await openSitemsg();
  const insertMs = { plain: 0, leased: 0, sitemsg: 0 };
  for (let start = 0, chunk = 0; start < size; start += CHUNK, chunk++) {
    const addresses = addressesOf('r', start, size);
    const sides = [
      ['plain', () => plainInsert(pool, tables.plain, addresses)],
      ['leased', () => plainInsert(pool, tables.leased, addresses)],
      ['sitemsg', () => schedule(sitemsg, addresses)],
    ];
    for (let i = 0; i < 3; i++) {
      const [side, fn] = sides[(chunk + i) % 3];
      insertMs[side] += (await timed(fn)).ms;
    }
  }
  const statementsPerMessage = counter.statements / Math.ceil(size / CHUNK);
  await analyze([SCHEMAS.plain, SCHEMAS.leased, SCHEMAS.sitemsg]);
  const plainRate = async (table) => {
    const { ms, value } = await timed(() => plainDrain(pool, table, BATCH));
    if (value !== size) throw new Error(`plain pg drained ${value} of ${size}`);
    return rate(size, ms);
  };
  const drains = {
    plain: () => plainRate(tables.plain),
    leased: () => plainRate(tables.leased),
    send1: () => sitemsgSend(1, size),
  };
  const keys = Object.keys(drains);
  const drained = {};
  for (let i = 0; i < keys.length; i++) {
    const key = keys[(index + i) % keys.length];
    drained[key] = await drains[key]();
  }
  for (let start = 0; start < size; start += CHUNK) await schedule(sitemsg, addressesOf('r', start, size));
  await analyze([SCHEMAS.sitemsg]);
  const send2 = await sitemsgSend(2, size);
  for (let start = 0; start < size; start += CHUNK) await schedule(sitemsg, addressesOf('r', start, size));
  await analyze([SCHEMAS.sitemsg]);
  const lanes2 = await sitemsgSend(1, size, 2);
  for (let start = 0; start < size; start += CHUNK) await schedule(sitemsg, addressesOf('r', start, size));
  await analyze([SCHEMAS.sitemsg]);
  const syncClaims = await sitemsgSend(1, size, 1, { synchronousClaims: true });
  const singles = await timed(async () => {
    for (let i = 0; i < SINGLES; i++) await schedule(sitemsg, [`s${i}@x.test`]);
  });
  await sitemsg.close();
  return {
    insert: {
      plain: rate(size, insertMs.plain),
      leased: rate(size, insertMs.leased),
      sitemsg: rate(size, insertMs.sitemsg),
    },
    plain: drained.plain,
    leased: drained.leased,
    send1: drained.send1,
    send2,
    lanes2,
    syncClaims,
    statementsPerMessage,
    singles: rate(SINGLES, singles.ms),
  };
}

/** pg-boss on its own data after the rounds: it is far from the others, so one pass says enough. */
async function bossPass() {
  const boss = await startBoss(url, SCHEMAS.boss);
  await boss.createQueue('bench');
  let insertMs = 0;
  for (let start = 0; start < N; start += CHUNK) {
    insertMs += (await timed(() => bossInsert(boss, 'bench', addressesOf('r', start, N)))).ms;
  }
  await analyze([SCHEMAS.boss]);
  const big = await timed(() => bossDrain(boss, 'bench', BATCH));
  if (big.value !== N) throw new Error(`pg-boss drained ${big.value} of ${N}`);
  await boss.createQueue('bench_small');
  for (let start = 0; start < BOSS_SMALL; start += CHUNK) {
    await bossInsert(boss, 'bench_small', addressesOf('s', start, BOSS_SMALL));
  }
  await analyze([SCHEMAS.boss]);
  const small = await timed(() => bossDrain(boss, 'bench_small', BATCH));
  if (small.value !== BOSS_SMALL) throw new Error(`pg-boss drained ${small.value} of ${BOSS_SMALL}`);
  await boss.stop({ graceful: false, wait: true });
  return { insert: rate(N, insertMs), send: rate(N, big.ms), small: rate(BOSS_SMALL, small.ms) };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const spread = (values) => `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;
const fmt = (n) => Math.round(n).toLocaleString('en');

await dropSchemas();
const loadStart = os.loadavg()[0];
console.log(
  `store-postgres benchmark: ${N} dispatches, batches of ${BATCH}, no-op messenger, ${ROUNDS} round${ROUNDS === 1 ? '' : 's'} after a warm-up of ${WARMUP}, ${url.replace(/\/\/[^@]*@/, '//')}`,
);
await round(WARMUP, 1);
const rounds = [];
for (let i = 0; i < ROUNDS; i++) {
  const r = await round(N, i);
  rounds.push(r);
  console.log(
    `round ${i + 1}: insert plain ${fmt(r.insert.plain)}/s leased ${fmt(r.insert.leased)}/s sitemsg ${fmt(r.insert.sitemsg)}/s | drain plain ${fmt(r.plain)}/s leased ${fmt(r.leased)}/s, sitemsg 1 worker ${fmt(r.send1.rate)}/s, 2 workers ${fmt(r.send2.rate)}/s | ratios ${(r.insert.sitemsg / r.insert.plain).toFixed(2)} ${(r.send1.rate / r.plain).toFixed(2)} ${(r.send2.rate / r.plain).toFixed(2)}`,
  );
}
const boss = WITH_BOSS ? await bossPass() : null;
const HELD = [0, 1000, 5000, 20_000];
const held = await heldRowCost(url, SCHEMAS.held, HELD, BATCH);
await dropSchemas();
await pool.end();

const col = (pick) => rounds.map(pick);
const figures = {
  plainInsert: median(col((r) => r.insert.plain)),
  plainSend: median(col((r) => r.plain)),
  leasedInsert: median(col((r) => r.insert.leased)),
  leasedSend: median(col((r) => r.leased)),
  schedule: median(col((r) => r.insert.sitemsg)),
  send1: median(col((r) => r.send1.rate)),
  send2: median(col((r) => r.send2.rate)),
  lanes2: median(col((r) => r.lanes2.rate)),
  syncClaims: median(col((r) => r.syncClaims.rate)),
  singles: median(col((r) => r.singles)),
};
const ratios = [
  ['schedule / plain unnest insert', col((r) => r.insert.sitemsg / r.insert.plain), '≥ 0.60'],
  ['send (1 worker) / plain claim + mark sent', col((r) => r.send1.rate / r.plain), '≥ 0.60'],
  ['send (2 workers) / plain claim + mark sent', col((r) => r.send2.rate / r.plain), '≥ 0.60'],
  ['send (1 worker, 2 batches in flight) / plain', col((r) => r.lanes2.rate / r.plain), '(reference)'],
  [
    'send (1 worker, claims waiting for the flush) / plain',
    col((r) => r.syncClaims.rate / r.plain),
    '(reference)',
  ],
  ['schedule / leased plain insert', col((r) => r.insert.sitemsg / r.insert.leased), '(reference)'],
  ['send (1 worker) / leased plain claim + mark sent', col((r) => r.send1.rate / r.leased), '(reference)'],
];
if (boss) {
  ratios.push(
    ['send (1 worker) / pg-boss fetch + complete', [figures.send1 / boss.send], '≥ 1.50'],
    ['send (2 workers) / pg-boss fetch + complete', [figures.send2 / boss.send], '≥ 1.50'],
    ['send (1 worker) / pg-boss with 10,000 queued', [figures.send1 / boss.small], '(reference)'],
  );
}
for (const [what, values, target] of ratios) {
  const goal = target.startsWith('(') ? target : `(target ${target})`;
  console.log(`${what.padEnd(48)} ${median(values).toFixed(2).padStart(6)}  [${spread(values)}]  ${goal}`);
}
const perBatch = median(col((r) => r.send1.statementsPerBatch));
const perMessage = median(col((r) => r.statementsPerMessage));
const cpu = median(col((r) => r.send1.cpuUsPerDispatch));
const heldLine = `one claim of ${BATCH} past rows held by batches in flight: ${held.results
  .map((r) => `${fmt(r.held)} held ${r.ms.toFixed(2)} ms`)
  .join(', ')} (≈ ${held.usPerHeldRow.toFixed(2)} µs per held row)`;
console.log(heldLine);
console.log(
  `sitemsg statements: ${perBatch.toFixed(2)} per batch sent, ${perMessage.toFixed(2)} per message scheduled; worker CPU ${cpu.toFixed(1)} µs per dispatch`,
);

const rows = [
  ['plain pg: unnest insert, 1,000 rows per statement', figures.plainInsert, 'rows/s'],
  [`plain pg: SKIP LOCKED claim of ${BATCH} + mark sent`, figures.plainSend, 'rows/s'],
  ['leased plain pg (reference): unnest insert', figures.leasedInsert, 'rows/s'],
  [`leased plain pg (reference): claim of ${BATCH} + mark sent`, figures.leasedSend, 'rows/s'],
  ['sitemsg: scheduleMessages, 1,000 recipients per message', figures.schedule, 'dispatches/s'],
  ['sitemsg: send, 1 worker process', figures.send1, 'dispatches/s'],
  ['sitemsg: send, 2 worker processes', figures.send2, 'dispatches/s'],
  ['sitemsg: send, 1 worker process, `concurrency: 2` (reference)', figures.lanes2, 'dispatches/s'],
  [
    'sitemsg: send, 1 worker process, `synchronousClaims: true` (reference)',
    figures.syncClaims,
    'dispatches/s',
  ],
  [
    `sitemsg: ${SINGLES.toLocaleString('en')} single-recipient messages, one call each (reference)`,
    figures.singles,
    'dispatches/s',
  ],
  ...(boss
    ? [
        ['pg-boss 10: insert, 1,000 jobs per call (one pass)', boss.insert, 'jobs/s'],
        [`pg-boss 10: fetch + complete of ${BATCH} (one pass)`, boss.send, 'jobs/s'],
        [
          `pg-boss 10: the same with ${BOSS_SMALL.toLocaleString('en')} jobs queued (reference)`,
          boss.small,
          'jobs/s',
        ],
      ]
    : []),
];
const cpus = os.cpus();
const section = `## store-postgres

Run: \`pnpm --filter @sitemsg/store-postgres bench\` (\`BENCH_DISPATCHES\`, \`BENCH_ROUNDS\`, \`BENCH_PGBOSS=0\`).
Measured ${new Date().toISOString().slice(0, 10)} on the local PostgreSQL 15 (fsync and synchronous_commit on; sitemsg's claims turn the latter off for themselves, its default), Node ${process.version},
${cpus.length} × ${cpus[0]?.model.trim() ?? 'CPU'} shared with other work (load average ${loadStart.toFixed(2)} at the start, ${os.loadavg()[0].toFixed(2)} at the end).
${N.toLocaleString('en')} dispatches per round, batches of ${BATCH}, a no-op messenger; one unrecorded warm-up round of
${WARMUP.toLocaleString('en')}, then ${ROUNDS} round${ROUNDS === 1 ? '' : 's'} on fresh tables. Rates are medians of the rounds; each ratio is
the median of the rounds' own ratios, with their range.

| measure | rate |
| --- | ---: |
${rows.map(([what, value, unit]) => `| ${what} | ${fmt(value)} ${unit} |`).join('\n')}

| ratio | median | range | target |
| --- | ---: | ---: | --- |
${ratios.map(([what, values, target]) => `| ${what} | ${median(values).toFixed(2)} | ${values.length > 1 ? spread(values) : 'one pass'} | ${target} |`).join('\n')}

Round trips: sitemsg ran ${perBatch.toFixed(2)} statements per batch sent (claim, complete; the final empty claim
is spread over the batches) and ${perMessage.toFixed(2)} per message scheduled (the insert, which leaves out
suppressed addresses itself); the sending worker used ${cpu.toFixed(1)} µs of CPU per dispatch.

A leased row stays in the claim index, so each claim reads past the rows that batches in flight
hold (\`held.mjs\`: rows leased to another worker for an hour, then the median of ${held.timed} claims of ${BATCH} by
the store's own statement, each rolled back): ${heldLine}.

What each side does, per round, on fresh tables in the same database:

- **plain pg** (\`bench/store-postgres/plain.mjs\`, \`minimal\`), the ceiling of the pattern: one table
  \`(id identity, address, payload jsonb, status, locked_until)\` with its primary key and one
  partial index \`(id) WHERE status = 'pending'\`. Insert: one \`INSERT ... SELECT FROM unnest($1)\`
  of 1,000 rows (one round trip). Drain, one process: \`UPDATE ... SET status = 'processing',
  locked_until = now() + 30 s WHERE id = ANY(ARRAY(SELECT id ... WHERE status = 'pending' ORDER BY
  id FOR UPDATE SKIP LOCKED LIMIT 100)) RETURNING id, address, payload\`, then \`UPDATE ... SET
  status = 'sent' WHERE id = ANY($1)\`: two round trips per batch, named (prepared) statements like
  sitemsg's. It does less than any queue that survives a crash: no owner on the lock (a late
  worker's write is not fenced), no attempt count, no priority, no index to find expired locks,
  no message rows, no suppression check.
- **leased plain pg** (same file, \`leased\`), for reference: the same with what crash recovery
  needs — priority, attempt count, lease owner, a partial index \`(priority DESC, id)\` of pending
  rows and one \`(locked_until)\` of leased rows, completion fenced by the owner.
- **sitemsg**: \`scheduleMessages('hello', recipients('noop', 1,000 addresses))\` through the
  engine (validation, then one statement writing the message and its 1,000 dispatches by
  \`unnest\`, leaving out suppressed addresses), chunk by chunk in turn with the two plain tables (the order
  rotating every chunk). Drain: worker processes (\`worker.mjs\`) running
  \`sendScheduledMessages({ batchSize: 100 })\` (one batch in the messenger, the next one claimed
  while it sends) with a no-op messenger: per batch one claim statement (lease owner and expiry,
  attempt, the batch's messages and suppressions in the same round trip) and one completion
  statement fenced by the lease owner; leases are not renewed (a batch takes milliseconds).
  Each claim commits without waiting for the disk flush (the store's default; the plain scripts
  wait for every commit): the 1-worker drain with \`synchronousClaims: true\` shows what that
  flush costs. The 2-worker drain, a 1-worker drain with \`concurrency: 2\` (two batches in flight)
  and that one each run on another ${N.toLocaleString('en')} scheduled untimed. The three one-process drains rotate which goes first, round by round.
  Each worker process first drains ${WARM_PER_WORKER.toLocaleString('en')} rows of its own, untimed: a worker runs for hours, and a
  cold process spends its first ~50 batches at half speed while the JIT optimises (the plain
  scripts run in the benchmark's own process, warm since the warm-up round).
- **pg-boss 10** (\`boss.mjs\`): \`insert\` of 1,000 jobs per call, then \`fetch\` of 100 and
  \`complete\` of their ids until empty, one process; once, after the rounds (it is an order of
  magnitude away, and a pass over ${N.toLocaleString('en')} takes a minute), then again with ${BOSS_SMALL.toLocaleString('en')} queued
  (its fetch slows down as the queue grows).

On a shared machine single rounds of one side swing by a third: compare the medians and ratios
of one run, not figures across runs. Analysis and history: the next section (kept by hand).
`;
const readme = join(here, '..', 'README.md');
const existing = await readFile(readme, 'utf8').catch(
  () => '# Benchmarks\n\nBenchmarks print figures; tests never assert a duration.\n',
);
const start = existing.indexOf('## store-postgres');
const next = start === -1 ? -1 : existing.indexOf('\n## ', start + 1);
const updated =
  start === -1
    ? `${existing.trimEnd()}\n\n${section}`
    : `${existing.slice(0, start)}${section}${next === -1 ? '' : existing.slice(next + 1)}`;
await writeFile(readme, `${updated.trimEnd()}\n`);
console.log(`recorded in ${readme}`);
