// sitemsg's VonageMessenger against the raw Vonage SDK (`vonage.sms.send`) pointed at the
// same local sink (a child process), in the same run: 2,000 SMS per side per round, paired rounds
// whose order alternates, median of the per-round ratios (sitemsg / raw). Needs `pnpm build`.
//
//   pnpm --filter @sitemsg/messenger-vonage bench
//   BENCH_MESSAGES=5000 BENCH_ROUNDS=9 pnpm --filter @sitemsg/messenger-vonage bench
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const SEND = { batchSize: Number(process.env.BENCH_BATCH ?? 250), concurrency: 2 };
const PER_BATCH = 8; // VonageMessenger's default concurrency: requests of one batch in flight
const IN_FLIGHT = SEND.concurrency * PER_BATCH; // the raw side gets the same window
const API_KEY = 'bench1234';
const API_SECRET = 'BenchSecret0123456789';
const FROM = 'SitemsgCo';

const pkg = new URL('../../packages/messenger-vonage/package.json', import.meta.url);
const require = createRequire(pkg);
const coreDist = new URL('../../packages/core/dist/index.js', import.meta.url);
const vonageDist = new URL('../../packages/messenger-vonage/dist/index.js', import.meta.url);
for (const built of [coreDist, vonageDist]) {
  if (!existsSync(built)) {
    console.error(`missing ${fileURLToPath(built)}: run \`pnpm build\` at the repository root first.`);
    process.exit(1);
  }
}
const { createSitemsg, MemoryStore, PlainTextMessage } = await import(coreDist.href);
const { VonageMessenger } = await import(vonageDist.href);
const { Vonage } = await import(pathToFileURL(require.resolve('@vonage/server-sdk')).href);

const numbers = Array.from(
  { length: MESSAGES },
  (_, i) => `+4479111${String(10000 + (i % 90000)).padStart(5, '0')}`,
);

async function rawRound(origin) {
  const vonage = new Vonage(
    { apiKey: API_KEY, apiSecret: API_SECRET },
    { restHost: origin, timeout: 30_000 },
  );
  const started = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < MESSAGES) {
      const i = next++;
      await vonage.sms.send({ to: numbers[i].slice(1), from: FROM, text: `Message ${i}` });
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  return (MESSAGES * 1000) / (performance.now() - started);
}

async function sitemsgRound(origin) {
  const messenger = new VonageMessenger({
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    from: FROM,
    restHost: origin,
  });
  const sitemsg = createSitemsg({ store: new MemoryStore(), messengers: [messenger] });
  await sitemsg.init();
  for (let i = 0; i < MESSAGES; i++) {
    await sitemsg.scheduleMessages(
      new PlainTextMessage(`Message ${i}`),
      sitemsg.recipients('vonage', numbers[i]),
    );
  }
  const started = performance.now();
  const counts = await sitemsg.sendScheduledMessages(SEND);
  const rate = (MESSAGES * 1000) / (performance.now() - started);
  await sitemsg.close();
  if (counts.sent !== MESSAGES)
    throw new Error(`sitemsg sent ${counts.sent} of ${MESSAGES}: ${JSON.stringify(counts)}`);
  return rate;
}

const child = fork(fileURLToPath(new URL('./sink.mjs', import.meta.url)), { stdio: 'inherit' });
const { port } = await new Promise((resolve) => child.once('message', resolve));
const origin = `http://127.0.0.1:${port}`;
const ratios = [];
const raws = [];
const ours = [];
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
try {
  await rawRound(origin); // warm-up, unrecorded
  await sitemsgRound(origin);
  for (let round = 1; round <= ROUNDS; round++) {
    let raw;
    let mine;
    if (round % 2) {
      raw = await rawRound(origin);
      mine = await sitemsgRound(origin);
    } else {
      mine = await sitemsgRound(origin);
      raw = await rawRound(origin);
    }
    raws.push(raw);
    ours.push(mine);
    ratios.push(mine / raw);
    console.log(
      `round ${round}: raw SDK ${raw.toFixed(0)} msgs/s, sitemsg ${mine.toFixed(0)} msgs/s, ratio ${(mine / raw).toFixed(2)}`,
    );
  }
  const count = await new Promise((resolve) => {
    child.once('message', (m) => resolve(m.count));
    child.send('count');
  });
  if (count !== MESSAGES * (ROUNDS * 2 + 2)) throw new Error(`the sink answered ${count} requests`);
} finally {
  child.send('stop');
}
console.log(
  `\nmessenger-vonage: ${MESSAGES} SMS x ${ROUNDS} paired rounds, ${IN_FLIGHT} requests in flight per side` +
    `\n  raw SDK median ${median(raws).toFixed(0)} msgs/s, sitemsg median ${median(ours).toFixed(0)} msgs/s (sending, after scheduling)` +
    `\n  median of per-round ratios sitemsg / raw SDK: ${median(ratios).toFixed(2)} (target >= 0.90)` +
    `\n  Node ${process.version}, load average ${loadavg()[0].toFixed(2)}`,
);
