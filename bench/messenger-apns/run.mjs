// sitemsg's ApnsMessenger against raw node-apn (`provider.send(notification, token)`) pointed at the
// same local HTTP/2 sink (a child process), in the same run: 2,000 pushes per side per round, paired
// rounds whose order alternates, median of the per-round ratios (sitemsg / raw). Needs `pnpm build`.
//
//   pnpm --filter @sitemsg/messenger-apns bench
//   BENCH_MESSAGES=5000 BENCH_ROUNDS=9 pnpm --filter @sitemsg/messenger-apns bench
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { importBuilt, inLanes, pairedRounds, printSummary, timed } from '../paired-rounds.mjs';

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
const [{ createSitemsg, MemoryStore, PlainTextMessage }, { ApnsMessenger }] = await importBuilt(
  coreDist,
  apnsDist,
);
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
  let failed = 0;
  const { rate, cpu } = await timed(MESSAGES, () =>
    inLanes(MESSAGES, IN_FLIGHT, async (i) => {
      const result = await provider.send(note(i), tokens[i]);
      failed += result.failed.length;
    }),
  );
  await new Promise((resolve) => provider.shutdown(resolve));
  if (failed > 0) throw new Error(`raw node-apn: ${failed} pushes failed`);
  return { rate, cpu };
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
  const { rate, cpu, result: counts } = await timed(MESSAGES, () => sitemsg.sendScheduledMessages(SEND));
  await sitemsg.close();
  if (counts.sent !== MESSAGES)
    throw new Error(`sitemsg sent ${counts.sent} of ${MESSAGES}: ${JSON.stringify(counts)}`);
  return { rate, cpu };
}

const words = { raw: 'raw node-apn', unit: 'pushes/s' };
const summary = await pairedRounds({
  sink: new URL('./sink.mjs', import.meta.url),
  rounds: ROUNDS,
  // MESSAGES pushes per side and round, plus one connection-opening push per side (sitemsg's init probe).
  requestsPerRound: MESSAGES + 1,
  raw: rawRound,
  sitemsg: sitemsgRound,
  words,
});
printSummary(
  `messenger-apns: ${MESSAGES} pushes x ${ROUNDS} paired rounds, ${IN_FLIGHT} pushes in flight per side, one HTTP/2 connection each`,
  summary,
  words,
);
