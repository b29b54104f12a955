// `pnpm bench`: runs every bench/<name>/run.mjs (core first), each in its own process with
// --expose-gc so that one benchmark's heap never skews another's, and prints their output.
// `pnpm bench core store-postgres` runs only those. Builds the packages they import when a dist is missing.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const packagesDir = fileURLToPath(new URL('../packages/', import.meta.url));

const all = readdirSync(benchDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(`${benchDir}${entry.name}/run.mjs`))
  .map((entry) => entry.name)
  .sort((a, b) => (a === 'core' ? -1 : b === 'core' ? 1 : a.localeCompare(b)));
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !all.includes(name));
if (unknown.length > 0) {
  console.error(`no benchmark named ${unknown.join(', ')} (there are: ${all.join(', ')})`);
  process.exit(2);
}
const selected = wanted.length > 0 ? all.filter((name) => wanted.includes(name)) : all;

buildIfNeeded();

const failed = [];
for (const name of selected) {
  console.log(`\n=== bench/${name} ===`);
  const run = spawnSync(process.execPath, ['--expose-gc', `${benchDir}${name}/run.mjs`], {
    stdio: 'inherit',
  });
  if (run.status !== 0) failed.push(name);
}
if (failed.length > 0) {
  console.error(`\nbenchmarks that failed: ${failed.join(', ')}`);
  process.exit(1);
}

/**
 * Benchmarks import built packages (`packages/<dir>/dist/...`): build the ones the selected
 * benchmarks name and that have no dist yet, and only those.
 */
function buildIfNeeded() {
  const named = new Set();
  for (const name of selected) {
    const source = readFileSync(`${benchDir}${name}/run.mjs`, 'utf8');
    for (const [, dir] of source.matchAll(/packages\/([\w-]+)\/dist\//g)) named.add(dir);
  }
  const missing = [...named].filter(
    (dir) =>
      existsSync(`${packagesDir}${dir}/package.json`) && !existsSync(`${packagesDir}${dir}/dist/index.js`),
  );
  if (missing.length === 0) return;
  const filters = missing.flatMap((dir) => {
    const { name } = JSON.parse(readFileSync(`${packagesDir}${dir}/package.json`, 'utf8'));
    return ['--filter', name];
  });
  console.log(`building ${missing.join(', ')} first (no dist yet)`);
  // Under `pnpm bench`, npm_execpath is the pnpm that runs us; otherwise pnpm from the PATH.
  const pnpm = process.env.npm_execpath;
  const args = [...filters, 'build'];
  const [command, argv] =
    pnpm && /\.(c?js|mjs)$/.test(pnpm) ? [process.execPath, [pnpm, ...args]] : [pnpm || 'pnpm', args];
  const build = spawnSync(command, argv, {
    stdio: 'inherit',
    cwd: fileURLToPath(new URL('..', import.meta.url)),
  });
  if (build.status !== 0) {
    console.error('the build failed: fix it (pnpm build) and run the benchmarks again.');
    process.exit(1);
  }
}
