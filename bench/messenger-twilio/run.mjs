// sitemsg's TwilioMessenger against the raw Twilio SDK (`client.messages.create`) pointed at the
// same local sink (a child process), in the same run: 2,000 SMS per side per round, paired rounds
// whose order alternates, median of the per-round ratios (sitemsg / raw). Needs `pnpm build`.
//
//   pnpm --filter @sitemsg/messenger-twilio bench
//   BENCH_MESSAGES=5000 BENCH_ROUNDS=9 pnpm --filter @sitemsg/messenger-twilio bench
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const SEND = { batchSize: Number(process.env.BENCH_BATCH ?? 250), concurrency: 2 };
const PER_BATCH = 8; // TwilioMessenger's default concurrency: requests of one batch in flight
const IN_FLIGHT = SEND.concurrency * PER_BATCH; // the raw side gets the same window
const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
const AUTH_TOKEN = 'bench-auth-token-0123456789abcdef';
const FROM = '+14155550100';

const pkg = new URL('../../packages/messenger-twilio/package.json', import.meta.url);
const require = createRequire(pkg);
const coreDist = new URL('../../packages/core/dist/index.js', import.meta.url);
const twilioDist = new URL('../../packages/messenger-twilio/dist/index.js', import.meta.url);
for (const built of [coreDist, twilioDist]) {
  if (!existsSync(built)) {
    console.error(`missing ${fileURLToPath(built)}: run \`pnpm build\` at the repository root first.`);
    process.exit(1);
  }
}
const { createSitemsg, MemoryStore, PlainTextMessage } = await import(coreDist.href);
const { TwilioMessenger } = await import(twilioDist.href);
const { default: twilio } = await import(pathToFileURL(require.resolve('twilio')).href);

/** The raw side's way to the sink: the SDK's own httpClient option, a RequestClient with another origin. */
class LocalClient extends twilio.RequestClient {
  constructor(origin) {
    super({ timeout: 30_000, keepAlive: true });
    this.origin = origin;
  }
  request(opts) {
    const url = new URL(opts.uri);
    return super.request({ ...opts, uri: `${this.origin}${url.pathname}${url.search}` });
  }
}

const numbers = Array.from(
  { length: MESSAGES },
  (_, i) => `+1415555${String(1000 + (i % 9000)).padStart(4, '0')}`,
);

async function rawRound(origin) {
  const client = new twilio.Twilio(ACCOUNT_SID, AUTH_TOKEN, { httpClient: new LocalClient(origin) });
  const started = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < MESSAGES) {
      const i = next++;
      await client.messages.create({ to: numbers[i], from: FROM, body: `Message ${i}` });
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  return (MESSAGES * 1000) / (performance.now() - started);
}

async function sitemsgRound(origin) {
  const messenger = new TwilioMessenger({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    from: FROM,
    baseUrl: origin,
  });
  const sitemsg = createSitemsg({ store: new MemoryStore(), messengers: [messenger] });
  await sitemsg.init();
  for (let i = 0; i < MESSAGES; i++) {
    await sitemsg.scheduleMessages(
      new PlainTextMessage(`Message ${i}`),
      sitemsg.recipients('twilio', numbers[i]),
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
  `\nmessenger-twilio: ${MESSAGES} SMS x ${ROUNDS} paired rounds, ${IN_FLIGHT} requests in flight per side` +
    `\n  raw SDK median ${median(raws).toFixed(0)} msgs/s, sitemsg median ${median(ours).toFixed(0)} msgs/s (sending, after scheduling)` +
    `\n  median of per-round ratios sitemsg / raw SDK: ${median(ratios).toFixed(2)} (target >= 0.90)` +
    `\n  Node ${process.version}, load average ${loadavg()[0].toFixed(2)}`,
);
