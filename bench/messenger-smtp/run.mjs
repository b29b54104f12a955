// sitemsg's pooled SmtpMessenger against plain nodemailer with the same pool, in the same run:
// 2,000 e-mails each to an SMTP sink in a child process. Prints msgs/s and the ratio and records
// them in bench/README.md under "messenger-smtp". Needs the built packages: run `pnpm build` first.
//
//   pnpm --filter @sitemsg/messenger-smtp bench
//   BENCH_MESSAGES=5000 BENCH_ROUNDS=5 BENCH_BATCH=100 BENCH_CONCURRENCY=2 pnpm --filter @sitemsg/messenger-smtp bench
import { fork } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const POOL = { maxConnections: 5, maxMessages: 100 };
const SEND = {
  batchSize: Number(process.env.BENCH_BATCH ?? 100),
  concurrency: Number(process.env.BENCH_CONCURRENCY ?? 2),
};
const FROM = '"Bench" <bench@example.com>';

const packageJson = new URL('../../packages/messenger-smtp/package.json', import.meta.url);
const require = createRequire(packageJson);
const smtpDist = new URL('../../packages/messenger-smtp/dist/index.js', import.meta.url);
const coreDist = new URL('../../packages/core/dist/index.js', import.meta.url);
for (const built of [coreDist, smtpDist]) {
  if (!existsSync(built)) {
    console.error(`missing ${fileURLToPath(built)}: run \`pnpm build\` at the repository root first.`);
    process.exit(1);
  }
}
const { createSitemsg, EmailTextMessage, MemoryStore } = await import(coreDist.href);
const { SmtpMessenger } = await import(smtpDist.href);
const { default: nodemailer } = await import(pathToFileURL(require.resolve('nodemailer')).href);

function startSink() {
  const child = fork(fileURLToPath(new URL('./sink.mjs', import.meta.url)), { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('message', ({ port }) => resolve({ child, port }));
  });
}

function ask(child, question, key) {
  return new Promise((resolve) => {
    const onMessage = (message) => {
      if (message && key in message) {
        child.off('message', onMessage);
        resolve(message[key]);
      }
    };
    child.on('message', onMessage);
    child.send(question);
  });
}

/**
 * Plain nodemailer as an application would use it: one pooled transporter. `window` messages in
 * flight at a time (Infinity: every sendMail at once); the faster of the two is the baseline.
 */
async function plainRound(port, window) {
  const transporter = nodemailer.createTransport({
    pool: true,
    host: '127.0.0.1',
    port,
    ...POOL,
    maxRequeues: 1,
  });
  await transporter.verify();
  const cpu = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < MESSAGES) {
      const i = next++;
      await transporter.sendMail({
        from: FROM,
        to: `user${i}@example.org`,
        subject: `Bench ${i}`,
        text: `Message ${i}`,
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, MESSAGES) }, lane));
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  transporter.close();
  return { sendRate: (MESSAGES * 1000) / ms, cpuPerMessage: (used.user + used.system) / MESSAGES };
}

/** sitemsg: memory store, pooled SmtpMessenger, sendScheduledMessages with concurrent batches. */
async function sitemsgRound(port) {
  const messenger = new SmtpMessenger({ host: '127.0.0.1', port, from: FROM, ...POOL });
  const sitemsg = createSitemsg({ store: new MemoryStore(), messengers: [messenger] });
  await sitemsg.init();
  await messenger.warmUp(); // the counterpart of transporter.verify() above
  const started = performance.now();
  for (let i = 0; i < MESSAGES; i++) {
    await sitemsg.scheduleMessages(
      new EmailTextMessage(`Bench ${i}`, `Message ${i}`),
      sitemsg.recipients('smtp', `user${i}@example.org`),
    );
  }
  const scheduled = performance.now();
  const cpu = process.cpuUsage();
  const counts = await sitemsg.sendScheduledMessages(SEND);
  const done = performance.now();
  const used = process.cpuUsage(cpu);
  await sitemsg.close();
  if (counts.sent !== MESSAGES)
    throw new Error(`sitemsg sent ${counts.sent} of ${MESSAGES}: ${JSON.stringify(counts)}`);
  return {
    sendRate: (MESSAGES * 1000) / (done - scheduled),
    totalRate: (MESSAGES * 1000) / (done - started),
    cpuPerMessage: (used.user + used.system) / MESSAGES,
  };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const { child, port } = await startSink();
const plainAll = [];
const plainWindow = [];
const ours = [];
const sides = {
  'nodemailer, all at once': async () => plainAll.push(await plainRound(port, Number.POSITIVE_INFINITY)),
  'nodemailer, 100 in flight': async () => plainWindow.push(await plainRound(port, 100)),
  sitemsg: async () => ours.push(await sitemsgRound(port)),
};
try {
  // One unrecorded round each: JIT and sockets warm for everybody.
  await plainRound(port, 100);
  await sitemsgRound(port);
  const names = Object.keys(sides);
  for (let round = 1; round <= ROUNDS; round++) {
    // Rotate which side goes first so that none always gets the same slot.
    for (let k = 0; k < names.length; k++) await sides[names[(round + k) % names.length]]();
    console.log(
      `round ${round}: nodemailer ${plainAll.at(-1).sendRate.toFixed(0)} (all at once) / ${plainWindow.at(-1).sendRate.toFixed(0)} (100 in flight) msgs/s, sitemsg ${ours.at(-1).sendRate.toFixed(0)} msgs/s (schedule + send ${ours.at(-1).totalRate.toFixed(0)})`,
    );
  }
  const accepted = await ask(child, 'count', 'count');
  if (accepted !== MESSAGES * (ROUNDS * 3 + 2)) throw new Error(`the sink accepted ${accepted} messages`);
} finally {
  child.send('stop');
}

const allRate = median(plainAll.map((r) => r.sendRate));
const windowRate = median(plainWindow.map((r) => r.sendRate));
const plainRate = Math.max(allRate, windowRate);
const sendRate = median(ours.map((r) => r.sendRate));
const totalRate = median(ours.map((r) => r.totalRate));
const ratio = sendRate / plainRate;
const cpuOf = (runs) => median(runs.map((r) => r.cpuPerMessage));
const cpu = (runs) => cpuOf(runs).toFixed(0);
// CPU per message is the steadier figure on a shared machine: wall-clock rates swing with its load.
const cpuRatio = Math.min(cpuOf(plainAll), cpuOf(plainWindow)) / cpuOf(ours);
console.log(`\nnodemailer, all at once    ${allRate.toFixed(0)} msgs/s, ${cpu(plainAll)} µs CPU/msg`);
console.log(`nodemailer, 100 in flight  ${windowRate.toFixed(0)} msgs/s, ${cpu(plainWindow)} µs CPU/msg`);
console.log(`sitemsg send               ${sendRate.toFixed(0)} msgs/s, ${cpu(ours)} µs CPU/msg`);
console.log(`sitemsg schedule + send    ${totalRate.toFixed(0)} msgs/s`);
console.log(`ratio sitemsg / faster nodemailer ${ratio.toFixed(2)} (target >= 0.90)`);
console.log(`CPU efficiency sitemsg vs the leaner nodemailer ${cpuRatio.toFixed(2)}`);

const section = `## messenger-smtp

${MESSAGES.toLocaleString('en')} e-mails per round to a local \`smtp-server\` sink that accepts and discards, in its own
process; one unrecorded warm-up round, then ${ROUNDS} rounds rotating which side goes first; medians. Both sides use one pooled connection set
(${POOL.maxConnections} connections, ${POOL.maxMessages} messages each, one nodemailer requeue) and verify the server before the clock starts.
Plain nodemailer runs twice per round (every \`sendMail\` at once, and 100 in flight); sitemsg uses the memory store, a pooled
\`SmtpMessenger\` and \`sendScheduledMessages({ batchSize: ${SEND.batchSize}, concurrency: ${SEND.concurrency} })\`, after scheduling one
message per recipient (timed separately).

| | msgs/s | sender CPU µs/msg |
| --- | ---: | ---: |
| plain nodemailer, every \`sendMail\` at once | ${allRate.toFixed(0)} | ${cpu(plainAll)} |
| plain nodemailer, 100 \`sendMail\` in flight | ${windowRate.toFixed(0)} | ${cpu(plainWindow)} |
| sitemsg, sending | ${sendRate.toFixed(0)} | ${cpu(ours)} |
| sitemsg, scheduling + sending | ${totalRate.toFixed(0)} | |
| **ratio sitemsg / the faster nodemailer (sending)** | **${ratio.toFixed(2)}** (target ≥ 0.90) | ${cpuRatio.toFixed(2)} (nodemailer's CPU/msg ÷ sitemsg's) |

Run: \`pnpm build && pnpm --filter @sitemsg/messenger-smtp bench\` (\`BENCH_MESSAGES\`, \`BENCH_ROUNDS\`, \`BENCH_BATCH\`, \`BENCH_CONCURRENCY\` to change it).
Last measured ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, load average ${loadavg()[0].toFixed(1)} at the end.
On a busy machine the wall-clock rates of single rounds swing by ±40 %; the CPU column is steadier.
`;

const readme = new URL('../README.md', import.meta.url);
const current = existsSync(readme)
  ? readFileSync(readme, 'utf8')
  : '# Benchmarks\n\nFigures printed by the benchmarks in this folder; tests never assert durations.\n';
const pattern = /## messenger-smtp\n[\s\S]*?(?=\n## |$)/;
const next = pattern.test(current) ? current.replace(pattern, section) : `${current.trimEnd()}\n\n${section}`;
writeFileSync(readme, next);
console.log(`recorded in ${fileURLToPath(readme)}`);
