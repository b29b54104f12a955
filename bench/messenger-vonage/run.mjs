// sitemsg's VonageMessenger against the raw Vonage SDK (`vonage.sms.send`) pointed at the
// same local sink (a child process), in the same run: 2,000 SMS per side per round, paired rounds
// whose order alternates, median of the per-round ratios (sitemsg / raw). Needs `pnpm build`.
//
//   pnpm --filter @sitemsg/messenger-vonage bench
//   BENCH_MESSAGES=5000 BENCH_ROUNDS=9 pnpm --filter @sitemsg/messenger-vonage bench
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import {
  importBuilt,
  inLanes,
  pairedRounds,
  printSummary,
  smsThroughSitemsg,
  timed,
} from '../paired-rounds.mjs';

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
const [core, { VonageMessenger }] = await importBuilt(coreDist, vonageDist);
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
  const { rate } = await timed(MESSAGES, () =>
    inLanes(MESSAGES, IN_FLIGHT, (i) =>
      vonage.sms.send({ to: numbers[i].slice(1), from: FROM, text: `Message ${i}` }),
    ),
  );
  return { rate };
}

async function sitemsgRound(origin) {
  const messenger = new VonageMessenger({
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    from: FROM,
    restHost: origin,
  });
  return smsThroughSitemsg(core, messenger, numbers, SEND);
}

const words = { raw: 'raw SDK', unit: 'msgs/s' };
const summary = await pairedRounds({
  sink: new URL('./sink.mjs', import.meta.url),
  rounds: ROUNDS,
  requestsPerRound: MESSAGES,
  setup: (port) => `http://127.0.0.1:${port}`,
  raw: rawRound,
  sitemsg: sitemsgRound,
  words,
});
printSummary(
  `messenger-vonage: ${MESSAGES} SMS x ${ROUNDS} paired rounds, ${IN_FLIGHT} requests in flight per side`,
  summary,
  words,
);
