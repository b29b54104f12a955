// One sending worker process: warms up on its own data, waits for "go", sends until nothing is
// due, reports and exits. It counts the statements its connections run, so the report can say
// how many round trips a batch costs (every statement is one round trip: pg sends no pipelined
// queries).
import { core, NoopMessenger, PostgresStore } from './deps.mjs';

const { url, schema, warmSchema, workerId, concurrency, storeOptions } = JSON.parse(process.env.BENCH_WORKER);
const storeOn = (name) =>
  new PostgresStore(
    { connectionString: url, poolConfig: { max: 2 } },
    { schema: name, listen: false, ...storeOptions },
  );

// A worker runs for hours: the measured drain should not include the first seconds of a cold
// process (the engine and the driver not yet optimised by the JIT), so it drains other rows first.
const warm = core.createSitemsg({ store: storeOn(warmSchema), messengers: [new NoopMessenger()], workerId });
await warm.sendScheduledMessages({ batchSize: 100, concurrency });
await warm.close();

const store = storeOn(schema);
let statements = 0;
store.pool.on('connect', (client) => {
  const query = client.query.bind(client);
  client.query = (...args) => {
    statements++;
    return query(...args);
  };
});
const sitemsg = core.createSitemsg({ store, messengers: [new NoopMessenger()], workerId });
await sitemsg.init();
process.send({ type: 'ready' });
process.once('message', async () => {
  statements = 0;
  let batches = 0;
  const cpu = process.cpuUsage();
  const counts = await sitemsg.sendScheduledMessages({
    batchSize: 100,
    concurrency,
    onBatch: () => batches++,
  });
  const used = process.cpuUsage(cpu);
  process.send({ type: 'done', counts, batches, statements, cpuMs: (used.user + used.system) / 1000 });
  await sitemsg.close();
  process.disconnect();
});
