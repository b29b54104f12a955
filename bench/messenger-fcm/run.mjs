// sitemsg's FcmMessenger against raw firebase-admin (`getMessaging(app).send(message)`) pointed at
// the same local sink (a child process, TLS), in the same run: 2,000 pushes per side per round,
// paired rounds whose order alternates, median of the per-round ratios (sitemsg / raw). Both reach
// the sink through the SDK's own `httpAgent` option (an https.Agent routing fcm.googleapis.com and
// oauth2.googleapis.com to it) and a service account key file. Needs `pnpm build`.
//
//   pnpm --filter @sitemsg/messenger-fcm bench
//   BENCH_MESSAGES=5000 BENCH_ROUNDS=9 pnpm --filter @sitemsg/messenger-fcm bench
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { pathToFileURL } from 'node:url';
import { importBuilt, inLanes, pairedRounds, printSummary, timed } from '../paired-rounds.mjs';

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
const [{ createSitemsg, MemoryStore, PlainTextMessage }, { FcmMessenger }] = await importBuilt(
  coreDist,
  fcmDist,
);
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
  const { rate, cpu } = await timed(MESSAGES, () =>
    inLanes(MESSAGES, IN_FLIGHT, (i) =>
      messaging.send({
        token: tokens[i],
        notification: { body: `Message ${i}` },
        apns: { headers: { 'apns-push-type': 'alert' } },
      }),
    ),
  );
  await adminApp.deleteApp(app);
  agent.destroy();
  return { rate, cpu };
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
  const { rate, cpu, result: counts } = await timed(MESSAGES, () => sitemsg.sendScheduledMessages(SEND));
  await sitemsg.close();
  agent.destroy();
  if (counts.sent !== MESSAGES)
    throw new Error(`sitemsg sent ${counts.sent} of ${MESSAGES}: ${JSON.stringify(counts)}`);
  return { rate, cpu };
}

const words = { raw: 'raw SDK', unit: 'msgs/s' };
const summary = await pairedRounds({
  sink: new URL('./sink.mjs', import.meta.url),
  rounds: ROUNDS,
  requestsPerRound: MESSAGES,
  raw: rawRound,
  sitemsg: sitemsgRound,
  words,
});
printSummary(
  `messenger-fcm: ${MESSAGES} pushes x ${ROUNDS} paired rounds, ${IN_FLIGHT} sends in flight per side`,
  summary,
  words,
);
