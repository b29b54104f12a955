// The engine alone: @sitemsg/core's memory store and a messenger that accepts everything, so the
// figures are sitemsg's own cost. Prints dispatches scheduled and sent per second (wall clock and
// per CPU second), peak RSS, and whether memory grows with what was already sent; records them in
// bench/README.md under "core". Needs packages/core built (bench/run.mjs builds it when missing).
//
//   pnpm bench core                      (or: node --expose-gc bench/core/run.mjs)
//   BENCH_REPEAT=5 pnpm bench core       best of 5 instead of 3
import { execSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const coreDist = new URL('../../packages/core/dist/index.js', import.meta.url);
const corePluginDist = new URL('../../packages/core/dist/plugin.js', import.meta.url);
for (const built of [coreDist, corePluginDist]) {
  if (!existsSync(built)) {
    console.error(`missing ${fileURLToPath(built)}: run \`pnpm build\` (or \`pnpm bench\`) first.`);
    process.exit(1);
  }
}
const { createSitemsg } = await import(coreDist.href);
const { Messenger, ok } = await import(corePluginDist.href);

const TOTAL = 100_000;
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const TARGET = { scheduled: 100_000, sent: 50_000 };
const gc = globalThis.gc ?? (() => {});

/** Accepts every dispatch: what is measured is the engine and the store. */
class NoopMessenger extends Messenger {
  static alias = 'noop';
  async send(batch) {
    return batch.map((item) => ({ dispatchId: item.dispatch.id, result: ok({}) }));
  }
}

function engine(options = {}) {
  return createSitemsg({ messengers: [new NoopMessenger()], ...options });
}

/** `messages` plain-text messages, each to `perMessage` addresses. */
async function schedule(sitemsg, messages, perMessage, offset = 0) {
  const shared = sitemsg.recipients(
    'noop',
    Array.from({ length: perMessage }, (_, i) => `user${i}@example.com`),
  );
  for (let m = 0; m < messages; m++) {
    const to = perMessage === 1 ? sitemsg.recipients('noop', `user${offset + m}@example.com`) : shared;
    await sitemsg.scheduleMessages(`message ${offset + m}`, to);
  }
}

/** Runs `prepare` untimed, then `run` timed; best of REPEAT by wall clock. */
async function best(prepare, run) {
  let top = null;
  for (let i = 0; i < REPEAT; i++) {
    const state = await prepare();
    gc();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const count = await run(state);
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const result = {
      count,
      perSecond: (count / wallMs) * 1000,
      perCpuSecond: (count / ((cpu.user + cpu.system) / 1000)) * 1000,
    };
    if (!top || result.perSecond > top.perSecond) top = result;
  }
  return top;
}

function scheduleCase(messages, perMessage) {
  return best(
    () => engine(),
    async (sitemsg) => {
      await schedule(sitemsg, messages, perMessage);
      return messages * perMessage;
    },
  );
}

function sendCase(batchSize, options = {}) {
  return best(
    async () => {
      const sitemsg = engine(options);
      await schedule(sitemsg, 1000, 100);
      return sitemsg;
    },
    async (sitemsg) => {
      const counts = await sitemsg.sendScheduledMessages({ batchSize });
      if (counts.sent !== TOTAL) throw new Error(`sent ${counts.sent} of ${TOTAL}`);
      return counts.sent;
    },
  );
}

/** Schedules, sends and cleans up 50,000 dispatches per round; memory after each round, after a full GC. */
async function memoryRounds(rounds, cleanup) {
  const sitemsg = engine();
  const points = [];
  for (let r = 0; r < rounds; r++) {
    await schedule(sitemsg, 500, 100);
    await sitemsg.sendScheduledMessages({ batchSize: 500 });
    if (cleanup) await sitemsg.cleanupSentMessages();
    gc();
    const { rss, heapUsed } = process.memoryUsage();
    points.push({ sent: (r + 1) * 50_000, rssMb: rss / 2 ** 20, heapMb: heapUsed / 2 ** 20 });
  }
  return points;
}

const int = (n) => Math.round(n).toLocaleString('en-US');
const mb = (n) => n.toFixed(1);

const rows = [];
function record(label, result, target) {
  const verdict = target === undefined ? '' : result.perSecond >= target ? 'yes' : 'NO';
  rows.push([label, int(result.perSecond), int(result.perCpuSecond), verdict]);
  console.log(
    `${label.padEnd(46)} ${int(result.perSecond).padStart(9)}/s  ${int(result.perCpuSecond).padStart(9)}/cpu-s  ${verdict}`,
  );
}

const load = loadavg()[0];
console.log(`core: memory store + no-op messenger, ${int(TOTAL)} dispatches per case, best of ${REPEAT}`);
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, node ${process.version}, load ${load.toFixed(2)}`,
);
if (globalThis.gc === undefined) console.log('(run with --expose-gc for steadier memory figures)');

record('schedule 1,000 messages × 100 recipients', await scheduleCase(1000, 100), TARGET.scheduled);
record('schedule 100,000 messages × 1 recipient', await scheduleCase(100_000, 1), TARGET.scheduled);
for (const batchSize of [100, 500, 1000]) {
  record(`send, batchSize ${batchSize}`, await sendCase(batchSize), TARGET.sent);
}
record(
  'send, batchSize 500, signed links (secret set)',
  await sendCase(500, { secret: 'bench-secret-0123456789' }),
  TARGET.sent,
);

const withCleanup = await memoryRounds(4, true);
const withoutCleanup = await memoryRounds(2, false);
const peakRssMb = process.resourceUsage().maxRSS / 1024;
console.log('memory after each round of 50,000 sent (full GC first):');
for (const p of withCleanup) {
  console.log(
    `  ${int(p.sent).padStart(7)} sent, cleanup between: rss ${mb(p.rssMb)} MB, heap ${mb(p.heapMb)} MB`,
  );
}
for (const p of withoutCleanup) {
  console.log(
    `  ${int(p.sent).padStart(7)} sent, no cleanup:       rss ${mb(p.rssMb)} MB, heap ${mb(p.heapMb)} MB`,
  );
}
const first = withCleanup[0];
const last = withCleanup.at(-1);
const growth = last.heapMb - first.heapMb;
const flat = growth < 5;
console.log(
  `heap growth from ${int(first.sent)} to ${int(last.sent)} sent with cleanup: ${mb(growth)} MB (${flat ? 'flat' : 'GROWS'})`,
);
console.log(`peak RSS: ${mb(peakRssMb)} MB`);

writeReadme();

function writeReadme() {
  const readme = new URL('../README.md', import.meta.url);
  const text = existsSync(readme)
    ? readFileSync(readme, 'utf8')
    : '# Benchmarks\n\nFigures printed by the benchmarks in this folder (`pnpm bench`); tests never assert durations.\n';
  const table = [
    '| case | dispatches/s | per CPU second | target met |',
    '| --- | ---: | ---: | :---: |',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
  const memory = [
    '| sent so far | cleanup between rounds | RSS MB | heap MB |',
    '| ---: | :---: | ---: | ---: |',
    ...withCleanup.map((p) => `| ${int(p.sent)} | yes | ${mb(p.rssMb)} | ${mb(p.heapMb)} |`),
    ...withoutCleanup.map((p) => `| ${int(p.sent)} | no | ${mb(p.rssMb)} | ${mb(p.heapMb)} |`),
  ];
  const section = [
    '## core',
    '',
    `\`@sitemsg/core\` alone: the memory store and a messenger that accepts everything, ${int(TOTAL)} dispatches`,
    `per case, best of ${REPEAT} by wall clock (the per-CPU-second column counts every thread of the process,`,
    'GC included, and is the steadier figure on a busy machine). Targets: scheduled ≥ 100,000/s, sent ≥ 50,000/s.',
    '',
    ...table,
    '',
    'Memory after rounds of 50,000 scheduled + sent (+ `cleanupSentMessages()`), each after a full GC. RSS',
    'still holds pages the earlier cases freed; the heap is the figure that shows growth:',
    '',
    ...memory,
    '',
    `Heap growth from ${int(first.sent)} to ${int(last.sent)} sent with cleanup: ${mb(growth)} MB (${flat ? 'flat: memory does not grow with what was already sent' : 'it grows'}). Peak RSS of the whole run: ${mb(peakRssMb)} MB.`,
    '',
    `Run: \`pnpm bench core\`. Last measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpus()[0]?.model.trim()} (nproc ${nproc()}), Node ${process.version}, load average ${load.toFixed(2)} at start.`,
  ].join('\n');
  const pattern = /^## core\n[\s\S]*?(?=^## |(?![\s\S]))/m;
  const next = pattern.test(text)
    ? text.replace(pattern, `${section}\n\n`).trimEnd()
    : `${text.trimEnd()}\n\n${section}`;
  writeFileSync(readme, `${next}\n`);
  console.log(`recorded in ${fileURLToPath(readme)} under "core"`);
}

function nproc() {
  try {
    return execSync('nproc', { encoding: 'utf8' }).trim();
  } catch {
    return String(cpus().length);
  }
}
