// pg-boss 10 doing the same work through its own API: insert jobs, then fetch + complete batches.
import { loadPgBoss } from './deps.mjs';

export async function startBoss(url, schema) {
  const PgBoss = await loadPgBoss();
  const boss = new PgBoss({ connectionString: url, schema, supervise: false, schedule: false, max: 2 });
  boss.on('error', (error) => console.error('pg-boss:', error.message));
  await boss.start();
  return boss;
}

export function bossInsert(boss, queue, addresses) {
  return boss.insert(addresses.map((address) => ({ name: queue, data: { address, text: 'hello' } })));
}

/** `fetch` of a batch, then `complete` of its ids: two round trips per batch, like the others. */
export async function bossDrain(boss, queue, batch) {
  let done = 0;
  for (;;) {
    const jobs = await boss.fetch(queue, { batchSize: batch });
    if (jobs.length === 0) return done;
    await boss.complete(
      queue,
      jobs.map((j) => j.id),
    );
    done += jobs.length;
  }
}
