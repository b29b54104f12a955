import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const exampleDir = dirname(dirname(fileURLToPath(import.meta.url)));

/** Runs the package's `start` script as the README's `pnpm quickstart` does (npm comes with every node). */
function runStart(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn('npm', ['run', '--silent', 'start'], {
    cwd: exampleDir,
    env: { ...process.env, NO_COLOR: '1' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

it('schedules, prepares from subscriptions, sends and prints what was delivered', async () => {
  const { code, stdout, stderr } = await runStart();
  expect(stderr).not.toContain('Error');
  expect(code).toBe(0);
  const lines = stdout.trimEnd().split('\n');
  expect(lines.slice(0, 5)).toEqual([
    '1. Schedule for explicit recipients: a user (the messenger finds the address) and a raw address',
    '   3 dispatches stored',
    '2. Ada and Linus (inactive) subscribe to the newsletter; it is scheduled without recipients',
    '   prepareDispatches(): 1 postponed message addressed to its subscribers',
    '3. Send what is due, highest priority first',
  ]);
  // Priority 10 first; the inactive subscriber gets nothing; each reader gets a signed link of their own.
  expect(lines.slice(5, 9)).toEqual([
    '  -> grace@example.com: Welcome aboard, Grace!',
    '  -> ada@example.com: [Your order shipped] Order 42 is on its way.',
    '  -> ops@example.com: [Your order shipped] Order 42 is on its way.',
    expect.stringMatching(
      /^ {2}-> ada@example\.com: \[Newsletter #1\] sitemsg 0\.1 is out \(unsubscribe: https:\/\/shop\.example\.com\/sitemsg\/unsubscribe\/\d+\/\d+\/[\w-]+\?r=[\w-]+\)$/,
    ),
  ]);
  expect(lines.slice(9)).toEqual(['   sent 4 / error 0 / failed 0 / skipped 0']);
  expect(stdout).not.toContain('linus@example.com');
});
