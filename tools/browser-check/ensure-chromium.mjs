#!/usr/bin/env node
/**
 * Run by `pnpm test` before anything else: the browser tests (express-views, examples/express-app)
 * drive Debian's Chromium at /usr/bin/chromium and must never skip. On a fresh machine it was
 * missing and two suites failed after minutes of work; now the test command brings it (as root,
 * with apt-get) or stops at once with one line saying what to install.
 *
 * Usage: node tools/browser-check/ensure-chromium.mjs [path]   (the path only for this script's own test)
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * What to do, from what the machine has: nothing, install with apt-get, or stop with the one line
 * to print.
 * @param {{ chromium: string, present: boolean, root: boolean, aptGet: boolean }} facts
 * @returns {{ action: 'ok' } | { action: 'install' } | { action: 'stop', line: string }}
 */
export function decide({ chromium, present, root, aptGet }) {
  if (present) return { action: 'ok' };
  if (root && aptGet) return { action: 'install' };
  const how = aptGet
    ? 'run `sudo apt-get install -y chromium`'
    : `install Chromium so that ${chromium} runs it (Debian/Ubuntu: apt-get install -y chromium)`;
  return {
    action: 'stop',
    line: `[sitemsg] [tests] Chromium is missing at ${chromium} (the browser tests need it): ${how}, then run the tests again.`,
  };
}

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(command, env) {
  return (env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && isExecutable(join(dir, command)));
}

function run(args) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  return spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env }).status === 0;
}

function main() {
  const chromium = process.argv[2] ?? CHROMIUM;
  const facts = {
    chromium,
    present: isExecutable(chromium),
    root: process.getuid?.() === 0,
    aptGet: onPath('apt-get', process.env),
  };
  const decision = decide(facts);
  if (decision.action === 'ok') return 0;
  if (decision.action === 'stop') {
    console.error(decision.line);
    return 1;
  }
  console.error(
    `[sitemsg] [tests] Chromium is missing at ${chromium}: installing Debian's chromium with apt-get.`,
  );
  if (run(['update', '-qq']) && run(['install', '-y', '-qq', 'chromium']) && isExecutable(chromium)) return 0;
  console.error(
    `[sitemsg] [tests] apt-get could not install Chromium at ${chromium} (see above): install it, then run the tests again.`,
  );
  return 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = main();
