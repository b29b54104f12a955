import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script (run by node before the build), without type declarations.
import { decide } from './ensure-chromium.mjs';

const SCRIPT = join(import.meta.dirname, 'ensure-chromium.mjs');
const dirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sitemsg-chromium-check-'));
  dirs.push(dir);
  return dir;
}

/** Runs the script as `pnpm test` does, with only the PATH given (so which tools exist is the test's choice). */
function runScript(chromium: string, path: string): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [SCRIPT, chromium], { env: { PATH: path }, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('ensure-chromium (run by pnpm test before the build)', () => {
  it('stops with one clear line and exit 1 when Chromium is missing and apt-get is not there', () => {
    const emptyPath = tempDir();
    const result = runScript('/nonexistent/chromium', emptyPath);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      '[sitemsg] [tests] Chromium is missing at /nonexistent/chromium (the browser tests need it): install Chromium so that /nonexistent/chromium runs it (Debian/Ubuntu: apt-get install -y chromium), then run the tests again.',
    ]);
  });

  it('says nothing and exits 0 when Chromium is there', () => {
    expect(runScript(process.execPath, tempDir())).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('installs with apt-get when root (an apt-get stand-in on PATH records what it was asked)', () => {
    const bin = tempDir();
    const chromium = join(tempDir(), 'chromium');
    const log = join(bin, 'calls.log');
    // Stands in for Debian's apt-get: logs its arguments; "install" puts an executable at the path.
    writeFileSync(
      join(bin, 'apt-get'),
      `#!/bin/sh\necho "$DEBIAN_FRONTEND $*" >> ${log}\n[ "$1" = install ] && printf '#!/bin/sh\\n' > ${chromium} && chmod +x ${chromium}\nexit 0\n`,
    );
    chmodSync(join(bin, 'apt-get'), 0o755);
    const result = runScript(chromium, `${bin}:/usr/bin:/bin`);
    if (process.getuid?.() !== 0) {
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/run `sudo apt-get install -y chromium`/);
      return;
    }
    expect(result.code).toBe(0);
    expect(readFileSync(log, 'utf8').split('\n').filter(Boolean)).toEqual([
      'noninteractive update -qq',
      'noninteractive install -y -qq chromium',
    ]);
    expect(existsSync(chromium)).toBe(true);
    expect(result.stderr).toMatch(
      /^\[sitemsg\] \[tests\] Chromium is missing at .*: installing Debian's chromium/,
    );
  });

  it("is the first thing the README's test command runs", () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8'));
    expect(pkg.scripts.test).toMatch(/^node tools\/browser-check\/ensure-chromium\.mjs && /);
  });

  it.each([
    [{ present: true, root: false, aptGet: false }, 'ok'],
    [{ present: false, root: true, aptGet: true }, 'install'],
    [{ present: false, root: true, aptGet: false }, 'stop'],
    [{ present: false, root: false, aptGet: true }, 'stop'],
    [{ present: false, root: false, aptGet: false }, 'stop'],
  ])('decides from %o: %s', (facts, action) => {
    expect(decide({ chromium: '/usr/bin/chromium', ...facts }).action).toBe(action);
  });

  it('tells a user without root to use sudo', () => {
    expect(decide({ chromium: '/usr/bin/chromium', present: false, root: false, aptGet: true }).line).toBe(
      '[sitemsg] [tests] Chromium is missing at /usr/bin/chromium (the browser tests need it): run `sudo apt-get install -y chromium`, then run the tests again.',
    );
  });
});
