// What the messenger benchmarks (bench/messenger-<name>/run.mjs) share: the check that the packages
// they import are built, the timing of one side's sends, the raw side's window of sends in flight,
// and the paired rounds against a sink in a child process with the median of the per-round ratios.
// Each run.mjs keeps only its messenger-specific parts (the two round functions, the sink, its words).
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

/** The middle value (the upper one of the two middles for an even count). */
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Imports built modules (`packages/<dir>/dist/...` URLs); exits with a hint when one is missing. */
export async function importBuilt(...urls) {
  for (const built of urls) {
    if (!existsSync(built)) {
      console.error(`missing ${fileURLToPath(built)}: run \`pnpm build\` at the repository root first.`);
      process.exit(1);
    }
  }
  return Promise.all(urls.map((url) => import(url.href)));
}

/**
 * Times `send()` for `messages` sends: `{ rate }` in sends per second and `{ cpu }` in µs of this
 * process's CPU per send. Cleanup after the send belongs outside it, so that it is not timed.
 */
export async function timed(messages, send) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await send();
  const rate = (messages * 1000) / (performance.now() - started);
  const used = process.cpuUsage(cpu);
  return { rate, cpu: (used.user + used.system) / messages, result };
}

/**
 * The sitemsg side of an SMS round: one plain-text message per number through `messenger` on a
 * memory store (`core` is the built @sitemsg/core), scheduled first, then only the sending timed.
 */
export async function smsThroughSitemsg(core, messenger, numbers, send) {
  const sitemsg = core.createSitemsg({ store: new core.MemoryStore(), messengers: [messenger] });
  await sitemsg.init();
  for (const [i, number] of numbers.entries()) {
    await sitemsg.scheduleMessages(
      new core.PlainTextMessage(`Message ${i}`),
      sitemsg.recipients(messenger.alias, number),
    );
  }
  const { rate, result: counts } = await timed(numbers.length, () => sitemsg.sendScheduledMessages(send));
  await sitemsg.close();
  if (counts.sent !== numbers.length)
    throw new Error(`sitemsg sent ${counts.sent} of ${numbers.length}: ${JSON.stringify(counts)}`);
  return { rate };
}

/** Calls `send(i)` for i in 0..count-1 with `inFlight` calls at a time (the raw side's window). */
export async function inLanes(count, inFlight, send) {
  let next = 0;
  const lane = async () => {
    while (next < count) await send(next++);
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
}

/**
 * Forks `sink` (a module that reports `{ port }`, answers 'count' with `{ count }` and stops on
 * 'stop'), runs one unrecorded warm-up round per side, then `rounds` paired rounds whose order
 * alternates, prints each round, checks that the sink answered `requestsPerRound` per side and
 * round, and returns the per-round figures and their medians. `raw` and `sitemsg` take what
 * `setup(port)` returns (the port itself by default) and return `{ rate, cpu? }`.
 */
export async function pairedRounds({
  sink,
  rounds,
  requestsPerRound,
  setup = (port) => port,
  raw,
  sitemsg,
  words,
}) {
  const child = fork(fileURLToPath(sink), { stdio: 'inherit' });
  const { port } = await new Promise((resolve) => child.once('message', resolve));
  const target = setup(port);
  const raws = [];
  const ours = [];
  try {
    await raw(target); // warm-up, unrecorded
    await sitemsg(target);
    for (let round = 1; round <= rounds; round++) {
      let theirs;
      let mine;
      if (round % 2) {
        theirs = await raw(target);
        mine = await sitemsg(target);
      } else {
        mine = await sitemsg(target);
        theirs = await raw(target);
      }
      raws.push(theirs);
      ours.push(mine);
      console.log(
        `round ${round}: ${words.raw} ${describe(theirs, words.unit)}, sitemsg ${describe(mine, words.unit)}, ratio ${(mine.rate / theirs.rate).toFixed(2)}`,
      );
    }
    const count = await new Promise((resolve) => {
      child.once('message', (m) => resolve(m.count));
      child.send('count');
    });
    const expected = requestsPerRound * (rounds * 2 + 2);
    if (count !== expected) throw new Error(`the sink answered ${count} requests, expected ${expected}`);
  } finally {
    child.send('stop');
  }
  const withCpu = raws.every((r) => r.cpu !== undefined);
  return {
    raw: { rate: median(raws.map((r) => r.rate)), cpu: withCpu ? median(raws.map((r) => r.cpu)) : undefined },
    sitemsg: {
      rate: median(ours.map((r) => r.rate)),
      cpu: withCpu ? median(ours.map((r) => r.cpu)) : undefined,
    },
    ratio: median(ours.map((mine, i) => mine.rate / raws[i].rate)),
    cpuRatio: withCpu ? median(ours.map((mine, i) => raws[i].cpu / mine.cpu)) : undefined,
  };
}

/**
 * Prints the summary of `pairedRounds`: `title` first (what was sent, how many in flight), then
 * the medians, the per-round ratio, the CPU figures when measured, and the Node version and load.
 */
export function printSummary(title, summary, words) {
  const { raw, sitemsg, ratio, cpuRatio } = summary;
  const lines = [
    `\n${title}`,
    `  ${words.raw} median ${raw.rate.toFixed(0)} ${words.unit}, sitemsg median ${sitemsg.rate.toFixed(0)} ${words.unit} (sending, after scheduling)`,
    `  median of per-round ratios sitemsg / ${words.raw}: ${ratio.toFixed(2)} (target >= 0.90)`,
  ];
  if (cpuRatio !== undefined) {
    lines.push(
      `  sending process CPU per send: raw ${raw.cpu.toFixed(0)} µs, sitemsg ${sitemsg.cpu.toFixed(0)} µs; median of per-round ratios raw / sitemsg ${cpuRatio.toFixed(2)}`,
    );
  }
  lines.push(`  Node ${process.version}, load average ${loadavg()[0].toFixed(2)}`);
  console.log(lines.join('\n'));
}

function describe({ rate, cpu }, unit) {
  return cpu === undefined
    ? `${rate.toFixed(0)} ${unit}`
    : `${rate.toFixed(0)} ${unit} (${cpu.toFixed(0)} µs CPU each)`;
}
