// sitemsg's TwilioMessenger against the raw Twilio SDK (`client.messages.create`) pointed at the
// same local sink (a child process), in the same run: 2,000 SMS per side per round, paired rounds
// whose order alternates, median of the per-round ratios (sitemsg / raw). Needs `pnpm build`.
//
//   pnpm --filter @sitemsg/messenger-twilio bench
//   BENCH_MESSAGES=5000 BENCH_ROUNDS=9 pnpm --filter @sitemsg/messenger-twilio bench
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
const PER_BATCH = 8; // TwilioMessenger's default concurrency: requests of one batch in flight
const IN_FLIGHT = SEND.concurrency * PER_BATCH; // the raw side gets the same window
const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
const AUTH_TOKEN = 'bench-auth-token-0123456789abcdef';
const FROM = '+14155550100';

const pkg = new URL('../../packages/messenger-twilio/package.json', import.meta.url);
const require = createRequire(pkg);
const coreDist = new URL('../../packages/core/dist/index.js', import.meta.url);
const twilioDist = new URL('../../packages/messenger-twilio/dist/index.js', import.meta.url);
const [core, { TwilioMessenger }] = await importBuilt(coreDist, twilioDist);
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
  const { rate } = await timed(MESSAGES, () =>
    inLanes(MESSAGES, IN_FLIGHT, (i) =>
      client.messages.create({ to: numbers[i], from: FROM, body: `Message ${i}` }),
    ),
  );
  return { rate };
}

async function sitemsgRound(origin) {
  const messenger = new TwilioMessenger({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    from: FROM,
    baseUrl: origin,
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
  `messenger-twilio: ${MESSAGES} SMS x ${ROUNDS} paired rounds, ${IN_FLIGHT} requests in flight per side`,
  summary,
  words,
);
