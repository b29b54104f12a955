import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { AppDir, runCli } from './run-cli.js';

const app = new AppDir('usage');
afterAll(() => app.remove());

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

describe('the command line', () => {
  it('prints the usage with --help and the version with --version, exit 0', async () => {
    const help = await runCli(['--help'], app.dir);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: sitemsg <command> [options]');
    expect(help.stdout).toContain('send-scheduled');
    const commandHelp = await runCli(['cleanup', '--help'], app.dir);
    expect(commandHelp.stdout).toContain('sitemsg cleanup --ago DAYS [--dispatches-only]');
    const version = await runCli(['--version'], app.dir);
    expect(version).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it.each([
    [[], 'no command given.'],
    [['send'], 'unknown command "send".'],
    [['send-scheduled', '--nope'], 'unknown option --nope.'],
    [['send-scheduled', '--priority'], '--priority needs a value.'],
    [['send-scheduled', '--priority', '-1'], '--priority needs a value (write --priority=-1'],
    [['send-scheduled', '--ignore-unknown=yes'], '--ignore-unknown takes no value.'],
    [['send-scheduled', '--batch-size', '0'], '--batch-size must be an integer from 1 to 10000 (got "0").'],
    [['send-scheduled', '--batch-size', '10001'], '--batch-size must be an integer from 1 to 10000'],
    [
      ['send-scheduled', '--concurrency', '1000000'],
      '--concurrency must be an integer from 1 to 64 (got "1000000").',
    ],
    [['send-scheduled', '--concurrency', '0'], '--concurrency must be an integer from 1 to 64'],
    [['send-scheduled', '--concurrency', 'NaN'], '--concurrency must be an integer from 1 to 64'],
    [['send-scheduled', '--priority', 'high'], '--priority must be an integer (got "high").'],
    [['send-scheduled', '--ago', '3'], 'send-scheduled does not take --ago.'],
    [['send-scheduled', 'extra'], 'send-scheduled takes no argument "extra".'],
    [['cleanup'], 'cleanup needs --ago DAYS'],
    [
      ['cleanup', '--ago', 'yesterday'],
      '--ago must be a number of days from 0 to 36525 (100 years; got "yesterday").',
    ],
    [
      ['cleanup', '--ago', '1e300'],
      '--ago must be a number of days from 0 to 36525 (100 years; got "1e300").',
    ],
    [['cleanup', '--ago', '36526'], '--ago must be a number of days from 0 to 36525'],
    [['probe', '--to', 'a@x.test'], 'probe needs the messenger alias'],
    [['probe', 'smtp'], 'probe needs --to ADDRESS.'],
    [['work', '--poll-interval', '-5'], '--poll-interval needs a value'],
    [['work', '--concurrency', '1.5'], '--concurrency must be an integer from 1 to 64 (got "1.5").'],
    [['work', '--poll-interval=0'], '--poll-interval must be an integer from 10 to 3600000 (got "0").'],
    [['work', '--poll-interval', '3600001'], '--poll-interval must be an integer from 10 to 3600000'],
    [['work', '--batch-size', '0'], '--batch-size must be an integer from 1 to 10000'],
  ])('exits 2 with a clear message and the usage for %j', async (args, message) => {
    const result = await runCli(args, app.dir);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')[0]).toContain(`[sitemsg] ${message}`);
    expect(result.stderr).toContain('Usage: sitemsg');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('takes negative priorities written --priority=-1 and global flags after the command', async () => {
    app.write('sitemsg.config.mjs', `export default { store: { driver: 'memory' } };\n`);
    const result = await runCli(
      ['send-scheduled', '--priority=-1', '--config', 'sitemsg.config.mjs'],
      app.dir,
    );
    expect(result).toEqual({ code: 0, stdout: 'sent 0 / error 0 / failed 0 / skipped 0\n', stderr: '' });
  });
});
