// One sending worker process: waits for "go", sends until nothing is due, reports and exits.
import { core, NoopMessenger, PostgresStore } from './deps.mjs';

const { url, schema, workerId } = JSON.parse(process.env.BENCH_WORKER);
const store = new PostgresStore({ connectionString: url, poolConfig: { max: 2 } }, { schema, listen: false });
const sitemsg = core.createSitemsg({ store, messengers: [new NoopMessenger()], workerId });
await sitemsg.init();
process.send({ type: 'ready' });
process.once('message', async () => {
  const counts = await sitemsg.sendScheduledMessages({ batchSize: 100 });
  process.send({ type: 'done', counts });
  await sitemsg.close();
  process.disconnect();
});
