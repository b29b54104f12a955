// sitemsg's WebPushMessenger against the raw web-push SDK (`webpush.sendNotification`) sending to
// the same local push service (a child process), in the same run: 2,000 pushes per side per round,
// paired rounds whose order alternates, median of the per-round ratios (sitemsg / raw). Both sides
// encrypt every payload (aes128gcm, a fresh ECDH key each) and sign a VAPID token per request, as
// web-push does. Needs `pnpm build`.
//
//   pnpm --filter @sitemsg/messenger-webpush bench
//   BENCH_MESSAGES=5000 BENCH_ROUNDS=9 pnpm --filter @sitemsg/messenger-webpush bench
import { fork } from 'node:child_process';
import { createECDH, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const SEND = { batchSize: Number(process.env.BENCH_BATCH ?? 250), concurrency: 2 };
const PER_BATCH = 8; // WebPushMessenger's default concurrency: requests of one batch in flight
const IN_FLIGHT = SEND.concurrency * PER_BATCH; // the raw side gets the same window
const SUBJECT = 'mailto:bench@shop.example.com';

const pkg = new URL('../../packages/messenger-webpush/package.json', import.meta.url);
const require = createRequire(pkg);
const coreDist = new URL('../../packages/core/dist/index.js', import.meta.url);
const webpushDist = new URL('../../packages/messenger-webpush/dist/index.js', import.meta.url);
for (const built of [coreDist, webpushDist]) {
  if (!existsSync(built)) {
    console.error(`missing ${fileURLToPath(built)}: run \`pnpm build\` at the repository root first.`);
    process.exit(1);
  }
}
const { createSitemsg, MemoryStore, PlainTextMessage } = await import(coreDist.href);
const { WebPushMessenger, generateVapidKeys } = await import(webpushDist.href);
const { default: webpush } = await import(pathToFileURL(require.resolve('web-push')).href);

const ca = readFileSync(new URL('../../packages/messenger-webpush/test/fixtures/cert.pem', import.meta.url));
const vapid = generateVapidKeys();

/** One subscription per message, as browsers make them: a P-256 key pair and a 16-byte auth secret. */
function subscriptions(origin) {
  return Array.from({ length: MESSAGES }, (_, i) => {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    return {
      endpoint: `${origin}/push/${i}`,
      keys: {
        p256dh: ecdh.getPublicKey().toString('base64url'),
        auth: randomBytes(16).toString('base64url'),
      },
    };
  });
}

async function rawRound(subs) {
  const agent = new Agent({ ca, keepAlive: true });
  const options = {
    vapidDetails: { subject: SUBJECT, publicKey: vapid.publicKey, privateKey: vapid.privateKey },
    TTL: 2_419_200,
    agent,
  };
  globalThis.gc?.(); // each side starts with a clean heap (`pnpm bench` runs with --expose-gc)
  const cpu = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < MESSAGES) {
      const i = next++;
      await webpush.sendNotification(subs[i], JSON.stringify({ body: `Message ${i}`, id: i }), options);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  const rate = (MESSAGES * 1000) / (performance.now() - started);
  const used = process.cpuUsage(cpu);
  agent.destroy();
  return { rate, cpuPerPush: (used.user + used.system) / MESSAGES };
}

async function sitemsgRound(subs) {
  const agent = new Agent({ ca, keepAlive: true });
  const messenger = new WebPushMessenger({
    vapidSubject: SUBJECT,
    vapidPublicKey: vapid.publicKey,
    vapidPrivateKey: vapid.privateKey,
    pushServiceHosts: ['127.0.0.1'],
    agent,
  });
  const sitemsg = createSitemsg({ store: new MemoryStore(), messengers: [messenger] });
  await sitemsg.init();
  for (let i = 0; i < MESSAGES; i++) {
    await sitemsg.scheduleMessages(
      new PlainTextMessage(`Message ${i}`),
      sitemsg.recipients('webpush', JSON.stringify(subs[i])),
    );
  }
  globalThis.gc?.(); // each side starts with a clean heap (`pnpm bench` runs with --expose-gc)
  const cpu = process.cpuUsage();
  const started = performance.now();
  const counts = await sitemsg.sendScheduledMessages(SEND);
  const rate = (MESSAGES * 1000) / (performance.now() - started);
  const used = process.cpuUsage(cpu);
  await sitemsg.close();
  agent.destroy();
  if (counts.sent !== MESSAGES)
    throw new Error(`sitemsg sent ${counts.sent} of ${MESSAGES}: ${JSON.stringify(counts)}`);
  return { rate, cpuPerPush: (used.user + used.system) / MESSAGES };
}

const child = fork(fileURLToPath(new URL('./sink.mjs', import.meta.url)), { stdio: 'inherit' });
const { port } = await new Promise((resolve) => child.once('message', resolve));
const subs = subscriptions(`https://127.0.0.1:${port}`);
const ratios = [];
const cpuRatios = [];
const raws = [];
const ours = [];
const rawCpu = [];
const ourCpu = [];
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
try {
  await rawRound(subs); // warm-up, unrecorded
  await sitemsgRound(subs);
  for (let round = 1; round <= ROUNDS; round++) {
    let raw;
    let mine;
    if (round % 2) {
      raw = await rawRound(subs);
      mine = await sitemsgRound(subs);
    } else {
      mine = await sitemsgRound(subs);
      raw = await rawRound(subs);
    }
    raws.push(raw.rate);
    ours.push(mine.rate);
    rawCpu.push(raw.cpuPerPush);
    ourCpu.push(mine.cpuPerPush);
    ratios.push(mine.rate / raw.rate);
    cpuRatios.push(raw.cpuPerPush / mine.cpuPerPush);
    console.log(
      `round ${round}: raw web-push ${raw.rate.toFixed(0)} pushes/s (${raw.cpuPerPush.toFixed(0)} µs CPU each), ` +
        `sitemsg ${mine.rate.toFixed(0)} pushes/s (${mine.cpuPerPush.toFixed(0)} µs), ratio ${(mine.rate / raw.rate).toFixed(2)}`,
    );
  }
  const count = await new Promise((resolve) => {
    child.once('message', (m) => resolve(m.count));
    child.send('count');
  });
  if (count !== MESSAGES * (ROUNDS * 2 + 2)) throw new Error(`the push service answered ${count} requests`);
} finally {
  child.send('stop');
}
console.log(
  `\nmessenger-webpush: ${MESSAGES} pushes x ${ROUNDS} paired rounds, ${IN_FLIGHT} requests in flight per side` +
    `\n  raw web-push median ${median(raws).toFixed(0)} pushes/s, ${median(rawCpu).toFixed(0)} µs CPU per push` +
    `\n  sitemsg median ${median(ours).toFixed(0)} pushes/s, ${median(ourCpu).toFixed(0)} µs CPU per push (sending, after scheduling)` +
    `\n  median of per-round ratios sitemsg / raw web-push: ${median(ratios).toFixed(2)} (target >= 0.90)` +
    `\n  median of per-round CPU ratios (raw CPU per push / sitemsg's): ${median(cpuRatios).toFixed(2)}` +
    `\n  Node ${process.version}, load average ${loadavg()[0].toFixed(2)}`,
);
