// sitemsg's WebPushMessenger against the raw web-push SDK (`webpush.sendNotification`) sending to
// the same local push service (a child process), in the same run: 2,000 pushes per side per round,
// paired rounds whose order alternates, median of the per-round ratios (sitemsg / raw). Both sides
// encrypt every payload (aes128gcm, a fresh ECDH key each) and sign a VAPID token per request, as
// web-push does. Needs `pnpm build`.
//
//   pnpm --filter @sitemsg/messenger-webpush bench
//   BENCH_MESSAGES=5000 BENCH_ROUNDS=9 pnpm --filter @sitemsg/messenger-webpush bench
import { createECDH, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { importBuilt, inLanes, pairedRounds, printSummary, timed } from '../paired-rounds.mjs';

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
const [{ createSitemsg, MemoryStore, PlainTextMessage }, { WebPushMessenger, generateVapidKeys }] =
  await importBuilt(coreDist, webpushDist);
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
  const { rate, cpu } = await timed(MESSAGES, () =>
    inLanes(MESSAGES, IN_FLIGHT, (i) =>
      webpush.sendNotification(subs[i], JSON.stringify({ body: `Message ${i}`, id: i }), options),
    ),
  );
  agent.destroy();
  return { rate, cpu };
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
  const { rate, cpu, result: counts } = await timed(MESSAGES, () => sitemsg.sendScheduledMessages(SEND));
  await sitemsg.close();
  agent.destroy();
  if (counts.sent !== MESSAGES)
    throw new Error(`sitemsg sent ${counts.sent} of ${MESSAGES}: ${JSON.stringify(counts)}`);
  return { rate, cpu };
}

const words = { raw: 'raw web-push', unit: 'pushes/s' };
const summary = await pairedRounds({
  sink: new URL('./sink.mjs', import.meta.url),
  rounds: ROUNDS,
  requestsPerRound: MESSAGES,
  setup: (port) => subscriptions(`https://127.0.0.1:${port}`),
  raw: rawRound,
  sitemsg: sitemsgRound,
  words,
});
printSummary(
  `messenger-webpush: ${MESSAGES} pushes x ${ROUNDS} paired rounds, ${IN_FLIGHT} requests in flight per side`,
  summary,
  words,
);
