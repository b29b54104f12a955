// sitemsg's FcmMessenger against raw firebase-admin (`getMessaging(app).send(message)`) pointed at
// the same local sink (a child process, TLS), in the same run: 2,000 pushes per side per round,
// paired rounds whose order alternates, median of the per-round ratios (sitemsg / raw). Both reach
// the sink through the SDK's own `httpAgent` option (an https.Agent routing fcm.googleapis.com and
// oauth2.googleapis.com to it) and a service account key file. Needs `pnpm build`.
//
//   pnpm --filter @sitemsg/messenger-fcm bench
//   BENCH_MESSAGES=5000 BENCH_ROUNDS=9 pnpm --filter @sitemsg/messenger-fcm bench
import { fork } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { connect } from 'node:tls';
import { fileURLToPath, pathToFileURL } from 'node:url';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const SEND = { batchSize: Number(process.env.BENCH_BATCH ?? 250), concurrency: 2 };
const PER_BATCH = 16; // FcmMessenger's default concurrency: sends of one batch in flight
const IN_FLIGHT = SEND.concurrency * PER_BATCH; // the raw side gets the same window
const PROJECT_ID = 'sitemsg-bench-1234';

const pkg = new URL('../../packages/messenger-fcm/package.json', import.meta.url);
const require = createRequire(pkg);
const coreDist = new URL('../../packages/core/dist/index.js', import.meta.url);
const fcmDist = new URL('../../packages/messenger-fcm/dist/index.js', import.meta.url);
for (const built of [coreDist, fcmDist]) {
  if (!existsSync(built)) {
    console.error(`missing ${fileURLToPath(built)}: run \`pnpm build\` at the repository root first.`);
    process.exit(1);
  }
}
const { createSitemsg, MemoryStore, PlainTextMessage } = await import(coreDist.href);
const { FcmMessenger } = await import(fcmDist.href);
const adminApp = await import(pathToFileURL(require.resolve('firebase-admin/app')).href);
const adminMessaging = await import(pathToFileURL(require.resolve('firebase-admin/messaging')).href);
const ca = readFileSync(
  new URL('../../packages/messenger-fcm/test/fixtures/tls-cert.pem', import.meta.url),
  'utf8',
);

const keyFile = join(mkdtempSync(join(tmpdir(), 'sitemsg-fcm-bench-')), 'service-account.json');
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
writeFileSync(
  keyFile,
  JSON.stringify({
    type: 'service_account',
    project_id: PROJECT_ID,
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    client_email: `bench@${PROJECT_ID}.iam.gserviceaccount.com`,
  }),
);

/** Every host reached at the sink, TLS verified against the host name with the test certificate. */
class RoutingAgent extends Agent {
  constructor(port) {
    super({ keepAlive: true, ca });
    this.port = port;
  }
  createConnection(options, callback) {
    const socket = connect({
      ...options,
      host: '127.0.0.1',
      port: this.port,
      servername: options.servername ?? options.host,
    });
    if (callback) socket.once('secureConnect', () => callback(null, socket));
    return socket;
  }
}

const tokens = Array.from(
  { length: MESSAGES },
  (_, i) => `bench${i}:APA91b${String(i).padStart(6, '0')}${'x'.repeat(140)}`,
);
let apps = 0;

async function rawRound(port) {
  const agent = new RoutingAgent(port);
  const app = adminApp.initializeApp(
    { credential: adminApp.cert(keyFile, agent), httpAgent: agent, projectId: PROJECT_ID },
    `raw-${++apps}`,
  );
  const messaging = adminMessaging.getMessaging(app);
  const cpu = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < MESSAGES) {
      const i = next++;
      await messaging.send({
        token: tokens[i],
        notification: { body: `Message ${i}` },
        apns: { headers: { 'apns-push-type': 'alert' } },
      });
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  const rate = (MESSAGES * 1000) / (performance.now() - started);
  const used = process.cpuUsage(cpu);
  await adminApp.deleteApp(app);
  agent.destroy();
  return { rate, cpuPerMsg: (used.user + used.system) / MESSAGES };
}

async function sitemsgRound(port) {
  const agent = new RoutingAgent(port);
  const messenger = new FcmMessenger({ serviceAccountFile: keyFile, httpAgent: agent });
  const sitemsg = createSitemsg({ store: new MemoryStore(), messengers: [messenger] });
  await sitemsg.init();
  for (let i = 0; i < MESSAGES; i++) {
    await sitemsg.scheduleMessages(
      new PlainTextMessage(`Message ${i}`),
      sitemsg.recipients('fcm', tokens[i]),
    );
  }
  const cpu = process.cpuUsage();
  const started = performance.now();
  const counts = await sitemsg.sendScheduledMessages(SEND);
  const rate = (MESSAGES * 1000) / (performance.now() - started);
  const used = process.cpuUsage(cpu);
  await sitemsg.close();
  agent.destroy();
  if (counts.sent !== MESSAGES)
    throw new Error(`sitemsg sent ${counts.sent} of ${MESSAGES}: ${JSON.stringify(counts)}`);
  return { rate, cpuPerMsg: (used.user + used.system) / MESSAGES };
}

const child = fork(fileURLToPath(new URL('./sink.mjs', import.meta.url)), { stdio: 'inherit' });
const { port } = await new Promise((resolve) => child.once('message', resolve));
const ratios = [];
const cpuRatios = [];
const raws = [];
const ours = [];
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
    ratios.push(mine.rate / raw.rate);
    cpuRatios.push(raw.cpuPerMsg / mine.cpuPerMsg);
    console.log(
      `round ${round}: raw SDK ${raw.rate.toFixed(0)} msgs/s (${raw.cpuPerMsg.toFixed(0)} µs CPU/msg), sitemsg ${mine.rate.toFixed(0)} msgs/s (${mine.cpuPerMsg.toFixed(0)} µs CPU/msg), ratio ${(mine.rate / raw.rate).toFixed(2)}`,
    );
  }
  const count = await new Promise((resolve) => {
    child.once('message', (m) => resolve(m.count));
    child.send('count');
  });
  if (count !== MESSAGES * (ROUNDS * 2 + 2)) throw new Error(`the sink answered ${count} sends`);
} finally {
  child.send('stop');
}
console.log(
  `\nmessenger-fcm: ${MESSAGES} pushes x ${ROUNDS} paired rounds, ${IN_FLIGHT} sends in flight per side` +
    `\n  raw SDK median ${median(raws).toFixed(0)} msgs/s, sitemsg median ${median(ours).toFixed(0)} msgs/s (sending, after scheduling)` +
    `\n  median of per-round ratios sitemsg / raw SDK: ${median(ratios).toFixed(2)} (target >= 0.90)` +
    `\n  median of per-round CPU ratios (raw SDK CPU per push / sitemsg's): ${median(cpuRatios).toFixed(2)}` +
    `\n  Node ${process.version}, load average ${loadavg()[0].toFixed(2)}`,
);
