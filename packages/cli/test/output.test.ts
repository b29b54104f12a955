import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createProgress, formatCounts } from '../src/output.js';
import { AppDir, childEnv, collect, dataConfig, NODE_ARGS } from './run-cli.js';

const apps: AppDir[] = [];
afterAll(() => {
  for (const a of apps) a.remove();
});

function stream(isTTY: boolean): { out: PassThrough & { isTTY: boolean }; text: () => string } {
  const out = Object.assign(new PassThrough(), { isTTY, columns: 120 });
  let text = '';
  out.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { out, text: () => text };
}

const counts = { sent: 120, error: 0, failed: 1, skipped: 0 };

describe('progress output', () => {
  it('formats the counts as one plain line', () => {
    expect(formatCounts(counts)).toBe('sent 120 / error 0 / failed 1 / skipped 0');
  });

  it('prints only the final line when the stream is not a terminal', () => {
    const { out, text } = stream(false);
    const progress = createProgress(out, 1000, 100);
    progress.update({ sent: 100, error: 0, failed: 0, skipped: 0 });
    progress.finish(counts);
    expect(text()).toBe('sent 120 / error 0 / failed 1 / skipped 0\n');
  });

  it('draws a bar on a terminal when more than one batch is expected, then the final line', () => {
    const { out, text } = stream(true);
    const progress = createProgress(out, 1000, 100);
    progress.update({ sent: 100, error: 0, failed: 0, skipped: 0 });
    progress.finish(counts);
    expect(text()).toContain('sending ');
    expect(text()).toContain('\u2588');
    expect(text()).toContain('121/121 | sent 120 / error 0 / failed 1 / skipped 0');
    expect(text().endsWith('sent 120 / error 0 / failed 1 / skipped 0\n')).toBe(true);
  });

  it('draws no bar on a terminal for a send of one batch or less, or on one with no width', () => {
    const { out, text } = stream(true);
    createProgress(out, 50, 100).finish(counts);
    expect(text()).toBe('sent 120 / error 0 / failed 1 / skipped 0\n');
    const narrow = stream(true);
    Object.assign(narrow.out, { columns: 0 });
    createProgress(narrow.out, 1000, 100).finish(counts);
    expect(narrow.text()).toBe('sent 120 / error 0 / failed 1 / skipped 0\n');
  });

  it('shows the bar when the real CLI runs in a pseudo-terminal (script)', async () => {
    const dir = new AppDir('tty');
    apps.push(dir);
    dir.write(
      'sitemsg.config.ts',
      dataConfig({ seed: [{ text: 'x', to: ['a@x.test', 'b@x.test', 'c@x.test', 'd@x.test'] }] }),
    );
    const command = [process.execPath, ...NODE_ARGS, 'send-scheduled', '--batch-size', '1']
      .map((arg) => `'${arg.replaceAll("'", "'\\''")}'`)
      .join(' ');
    // A fresh pseudo-terminal has no size until stty gives it one.
    const script = ['-qec', `stty cols 120 rows 40; ${command}`, '/dev/null'];
    const result = await collect(spawn('script', script, { cwd: dir.dir, env: childEnv() }));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('sending ');
    expect(result.stdout).toContain('\u2588');
    expect(result.stdout).toContain('sent 4 / error 0 / failed 0 / skipped 0\r\n');
  });
});
