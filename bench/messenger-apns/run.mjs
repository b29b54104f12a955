// sitemsg's ApnsMessenger against raw node-apn (`provider.send(notification, token)`) pointed at the
// same local HTTP/2 sink (a child process), in the same run: 2,000 pushes per side per round, paired
// rounds whose order alternates, median of the per-round ratios (sitemsg / raw). Needs `pnpm build`.
//
//   pnpm --filter @sitemsg/messenger-apns bench
//   BENCH_MESSAGES=5000 BENCH_ROUNDS=9 pnpm --filter @sitemsg/messenger-apns bench
import { fork } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
// Batches of 500: with 32 pushes in flight per batch, a batch of 250 spends a larger share of its time
// draining its last pushes (bench/README.md has both figures).
const SEND = { batchSize: Number(process.env.BENCH_BATCH ?? 500), concurrency: 2 };
const PER_BATCH = 32; // ApnsMessenger's default concurrency: pushes of one batch in flight
const IN_FLIGHT = SEND.concurrency * PER_BATCH; // the raw side gets the same window
const KEY_ID = 'BENCH12345';
const TEAM_ID = 'TEAM123456';
const TOPIC = 'com.example.bench';
const KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();

const pkg = new URL('../../packages/messenger-apns/package.json', import.meta.url);
const require = createRequire(pkg);
const coreDist = new URL('../../packages/core/dist/index.js', import.meta.url);
const apnsDist = new URL('../../packages/messenger-apns/dist/index.js', import.meta.url);
for (const built of [coreDist, apnsDist]) {
  if (!existsSync(built)) {
    console.error(`missing ${fileURLToPath(built)}: run \`pnpm build\` at the repository root first.`);
    process.exit(1);
  }
}
const { createSitemsg, MemoryStore, PlainTextMessage } = await import(coreDist.href);
const { ApnsMessenger } = await import(apnsDist.href);
const apn = (await import(pathToFileURL(require.resolve('@parse/node-apn')).href)).default;
const CA = readFileSync(
  new URL('../../packages/messenger-apns/test/fixtures/tls/cert.pem', import.meta.url),
  'utf8',
);

const tokens = Array.from({ length: MESSAGES }, (_, i) => i.toString(16).padStart(64, 'a'));

/** Raw node-apn: one Provider (one HTTP/2 connection), opened before the clock starts, IN_FLIGHT sends at a time. */
async function rawRound(port) {
  const provider = new apn.Provider({
    token: { key: KEY, keyId: KEY_ID, teamId: TEAM_ID },
    address: '127.0.0.1',
    port,
    ca: [CA],
  });
  const note = (i) => {
    const n = new apn.Notification();
    n.topic = TOPIC;
    n.pushType = 'alert';
    n.alert = { title: 'Bench', body: `Message ${i}` };
    return n;
  };
  await provider.send(note(-1), tokens[0]); // opens the connection, untimed
  const cpu = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  let failed = 0;
  const lane = async () => {
    while (next < MESSAGES) {
      const i = next++;
      const result = await provider.send(note(i), tokens[i]);
      failed += result.failed.length;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  const rate = (MESSAGES * 1000) / (performance.now() - started);
  const used = process.cpuUsage(cpu);
  await new Promise((resolve) => provider.shutdown(resolve));
  if (failed > 0) throw new Error(`raw node-apn: ${failed} pushes failed`);
  return { rate, cpu: (used.user + used.system) / MESSAGES };
}

/** sitemsg: memory store, one message per token scheduled untimed; init() opens the connection; then the send is timed. */
async function sitemsgRound(port) {
  const messenger = new ApnsMessenger({
    key: KEY,
    keyId: KEY_ID,
    teamId: TEAM_ID,
    topic: TOPIC,
    environment: 'sandbox',
    address: '127.0.0.1',
    port,
    ca: CA,
    logger: {},
  });
  const sitemsg = createSitemsg({ store: new MemoryStore(), messengers: [messenger] });
  await sitemsg.init();
  for (let i = 0; i < MESSAGES; i++) {
    await sitemsg.scheduleMessages(
      new PlainTextMessage(`Message ${i}`),
      sitemsg.recipients('apns', tokens[i]),
    );
  }
  const cpu = process.cpuUsage();
  const started = performance.now();
  const counts = await sitemsg.sendScheduledMessages(SEND);
  const rate = (MESSAGES * 1000) / (performance.now() - started);
  const used = process.cpuUsage(cpu);
  await sitemsg.close();
  if (counts.sent !== MESSAGES)
    throw new Error(`sitemsg sent ${counts.sent} of ${MESSAGES}: ${JSON.stringify(counts)}`);
  return { rate, cpu: (used.user + used.system) / MESSAGES };
}

const child = fork(fileURLToPath(new URL('./sink.mjs', import.meta.url)), { stdio: 'inherit' });
const { port } = await new Promise((resolve) => child.once('message', resolve));
const ratios = [];
const cpuRatios = [];
const raws = [];
const ours = [];
const rawCpu = [];
const ourCpu = [];
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
try {
  await rawRound(port); // warm-up, unrecorded
  await sitemsgRound(port);
  for (let round = 1; round <= ROUNDS; round++) {
    let raw;
    let mine;
    if (round % 2) {
      raw = await rawRound(port);
      mine = await sitemsgRound(port);
    } else {
      mine = await sitemsgRound(port);
      raw = await rawRound(port);
    }
    raws.push(raw.rate);
    ours.push(mine.rate);
    rawCpu.push(raw.cpu);
    ourCpu.push(mine.cpu);
    ratios.push(mine.rate / raw.rate);
    cpuRatios.push(raw.cpu / mine.cpu);
    console.log(
      `round ${round}: raw node-apn ${raw.rate.toFixed(0)} pushes/s (${raw.cpu.toFixed(0)} µs CPU each), sitemsg ${mine.rate.toFixed(0)} pushes/s (${mine.cpu.toFixed(0)} µs), ratio ${(mine.rate / raw.rate).toFixed(2)}`,
    );
  }
  const count = await new Promise((resolve) => {
    child.once('message', (m) => resolve(m.count));
    child.send('count');
  });
  // Each round: MESSAGES pushes per side, plus one connection-opening push per side (sitemsg's init probe).
  const expected = (MESSAGES + 1) * (ROUNDS * 2 + 2);
  if (count !== expected) throw new Error(`the sink answered ${count} requests, expected ${expected}`);
} finally {
  child.send('stop');
}
console.log(
  `\nmessenger-apns: ${MESSAGES} pushes x ${ROUNDS} paired rounds, ${IN_FLIGHT} pushes in flight per side, one HTTP/2 connection each` +
    `\n  raw node-apn median ${median(raws).toFixed(0)} pushes/s, sitemsg median ${median(ours).toFixed(0)} pushes/s (sending, after scheduling)` +
    `\n  median of per-round ratios sitemsg / raw node-apn: ${median(ratios).toFixed(2)} (target >= 0.90)` +
    `\n  sending process CPU per push: raw ${median(rawCpu).toFixed(0)} µs, sitemsg ${median(ourCpu).toFixed(0)} µs; median of per-round ratios raw / sitemsg ${median(cpuRatios).toFixed(2)}` +
    `\n  Node ${process.version}, load average ${loadavg()[0].toFixed(2)}`,
);
