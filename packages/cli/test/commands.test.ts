import { afterAll, describe, expect, it } from 'vitest';
import { AppDir, collect, dataConfig, runCli, startCli, until } from './run-cli.js';

const apps: AppDir[] = [];
function app(name: string, config?: string): AppDir {
  const made = new AppDir(`cmd-${name}`);
  apps.push(made);
  if (config !== undefined) made.write('sitemsg.config.ts', config);
  return made;
}
afterAll(() => {
  for (const a of apps) a.remove();
});

const to = (...names: string[]): string[] => names.map((n) => `${n}@x.test`);

describe('send-scheduled', () => {
  it('sends what is due and prints the counts as one plain line when stdout is not a terminal', async () => {
    const dir = app(
      'send',
      dataConfig({ seed: [{ text: 'hi', to: to('a', 'b', 'bad') }], smtp: `failAddresses: ['bad@x.test'],` }),
    );
    const result = await runCli(['send-scheduled'], dir.dir);
    expect(result).toEqual({ code: 0, stdout: 'sent 2 / error 0 / failed 1 / skipped 0\n', stderr: '' });
    expect(dir.deliveries().map((d) => [d.to, d.text, d.primary])).toEqual([
      ['a@x.test', 'hi', true],
      ['b@x.test', 'hi', true],
    ]);
  });

  it('sends only the given priority with --priority', async () => {
    const dir = app(
      'priority',
      dataConfig({
        seed: [
          { text: 'urgent', to: to('a'), priority: 5 },
          { text: 'later', to: to('b'), priority: 0 },
        ],
      }),
    );
    const result = await runCli(['send-scheduled', '--priority', '5'], dir.dir);
    expect(result.stdout).toBe('sent 1 / error 0 / failed 0 / skipped 0\n');
    expect(dir.deliveries().map((d) => d.text)).toEqual(['urgent']);
  });

  it('records an error for an unknown messenger, and leaves it pending with --ignore-unknown', async () => {
    const seed = [
      { text: 'known', to: to('a') },
      { text: 'ghost', to: to('b'), messenger: 'ghost' },
    ];
    const dir = app('unknown', dataConfig({ seed }));
    const strict = await runCli(['send-scheduled'], dir.dir);
    expect(strict.stdout).toBe('sent 1 / error 1 / failed 0 / skipped 0\n');
    const lenient = await runCli(['send-scheduled', '--ignore-unknown'], dir.dir);
    expect(lenient.stdout).toBe('sent 1 / error 0 / failed 0 / skipped 0\n');
  });

  it('claims --batch-size dispatches per batch and runs --concurrency batches at once', async () => {
    const dir = app('batches', dataConfig({ seed: [{ text: 'x', to: to('a', 'b', 'c', 'd', 'e') }] }));
    const serial = await runCli(['send-scheduled', '--batch-size', '2'], dir.dir);
    expect(serial.stdout).toBe('sent 5 / error 0 / failed 0 / skipped 0\n');
    expect(dir.deliveries().map((d) => d.batch)).toEqual([2, 2, 2, 2, 1]);
    expect(Math.max(...dir.deliveries().map((d) => Number(d.inFlight)))).toBe(1);
    dir.write('out.jsonl', '');
    const parallel = await runCli(['send-scheduled', '--batch-size', '2', '--concurrency', '2'], dir.dir);
    expect(parallel.stdout).toBe('sent 5 / error 0 / failed 0 / skipped 0\n');
    expect(Math.max(...dir.deliveries().map((d) => Number(d.inFlight)))).toBe(2);
  });

  it('stops claiming on SIGTERM, sends and records the batches in hand and exits 0', async () => {
    const seed = [{ text: 'x', to: to('a', 'b', 'c', 'd') }];
    const dir = app('send-stop', dataConfig({ seed, smtp: 'pauseAfter: 1,' }));
    const child = startCli(['send-scheduled', '--batch-size', '1'], dir.dir);
    const done = collect(child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    await until(() => dir.deliveries().length === 1, 'the first delivery');
    child.kill('SIGTERM');
    await until(() => stderr.includes('stopping'), 'the CLI to take the signal');
    dir.write('out.jsonl.resume', '');
    const result = await done;
    // In hand: the batch that was sending, and the one the worker had claimed ahead of it.
    expect(result).toEqual({
      code: 0,
      stdout: 'sent 2 / error 0 / failed 0 / skipped 0\n',
      stderr: '[sitemsg] stopping: finishing the batches in hand (signal again to exit at once).\n',
    });
  });

  it('uses an engine returned by a config function (which may schedule first), and ignores SITEMSG__ then', async () => {
    const dir = app('engine');
    dir.write(
      'sitemsg.config.mjs',
      `import { createSitemsg } from '@sitemsg/core';
import { FakeMessenger } from './fixtures/fake-driver.mjs';

export default async () => {
  const sitemsg = createSitemsg({ messengers: [new FakeMessenger({ outFile: './out.jsonl' }, { name: 'fake', primary: true })] });
  await sitemsg.scheduleMessages('from the engine', sitemsg.recipients('fake', ['a@x.test', 'b@x.test']));
  return sitemsg;
};
`,
    );
    const result = await runCli(['send-scheduled'], dir.dir, { SITEMSG__FAKE__HOST: 'ignored' });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('sent 2 / error 0 / failed 0 / skipped 0\n');
    expect(result.stderr).toContain(
      '[sitemsg] config: SITEMSG__FAKE__HOST ignored: the config exports a ready engine, not a data config.',
    );
    expect(dir.deliveries().map((d) => d.text)).toEqual(['from the engine', 'from the engine']);
  });

  it('warns that a config without a store uses the memory store', async () => {
    const dir = app('no-store');
    dir.write('sitemsg.config.mjs', 'export default {};\n');
    const result = await runCli(['send-scheduled'], dir.dir);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('[sitemsg] config: no store configured, using the memory store');
  });
});

describe('cleanup', () => {
  const seed = [
    { text: 'old', to: to('a', 'b'), sent: true, ageDays: 3 },
    { text: 'new', to: to('c'), sent: true, ageDays: 0 },
    { text: 'old but pending', to: to('d'), ageDays: 3 },
  ];

  it('deletes sent dispatches older than --ago days and the messages left empty', async () => {
    const dir = app('cleanup', dataConfig({ seed }));
    const result = await runCli(['cleanup', '--ago', '1'], dir.dir);
    expect(result).toEqual({ code: 0, stdout: 'deleted 2 sent dispatches / 1 messages\n', stderr: '' });
  });

  it('keeps the messages with --dispatches-only', async () => {
    const dir = app('cleanup-keep', dataConfig({ seed }));
    const result = await runCli(['cleanup', '--ago', '1', '--dispatches-only'], dir.dir);
    expect(result.stdout).toBe('deleted 2 sent dispatches / 0 messages\n');
  });
});

describe('probe', () => {
  it('sends a test message through one messenger', async () => {
    const dir = app('probe', dataConfig({ smtp: `failAddresses: ['bad@x.test'],` }));
    const result = await runCli(['probe', 'smtp', '--to', 'ops@x.test', '--text', 'ping'], dir.dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^probe smtp: sent to ops@x\.test \(provider id fake-test-[\w-]+\)\n$/);
    expect(dir.deliveries().map((d) => [d.to, d.text])).toEqual([['ops@x.test', 'ping']]);
  });

  it("passes each named messenger its alias and whether it is its driver's primary (marked, else the first)", async () => {
    const backup = `backup: { driver: 'fake', package: './fixtures/fake-driver.mjs', outFile },`;
    const marked = app(
      'primary-marked',
      dataConfig({ messengers: backup.replace('outFile', 'outFile, primary: true') }),
    );
    const first = app('primary-first', dataConfig({ messengers: backup }));
    for (const dir of [marked, first]) {
      for (const alias of ['smtp', 'backup']) {
        expect((await runCli(['probe', alias, '--to', `${alias}@x.test`], dir.dir)).code).toBe(0);
      }
    }
    expect(marked.deliveries().map((d) => [d.messenger, d.primary])).toEqual([
      ['smtp', false],
      ['backup', true],
    ]);
    expect(first.deliveries().map((d) => [d.messenger, d.primary])).toEqual([
      ['smtp', true],
      ['backup', false],
    ]);
  });

  it('exits 1 when the messenger refuses the address or does not exist', async () => {
    const dir = app('probe-fail', dataConfig({ smtp: `failAddresses: ['bad@x.test'],` }));
    const refused = await runCli(['probe', 'smtp', '--to', 'bad@x.test'], dir.dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('[sitemsg] [smtp] probe failed (permanent): 550 no such user\n');
    const unknown = await runCli(['probe', 'sms', '--to', 'x'], dir.dir);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('[sitemsg] Unknown messenger "sms"');
  });
});

describe('prepare', () => {
  it('creates the dispatches of postponed messages from subscriptions', async () => {
    const dir = app(
      'prepare',
      dataConfig({
        seed: [{ text: 'newsletter' }, { text: 'nobody' }],
        subscriptions: [{ messageType: 'plain', messenger: 'smtp', address: 'sub@x.test' }],
      }),
    );
    const result = await runCli(['prepare'], dir.dir);
    expect(result).toEqual({ code: 0, stdout: 'prepared dispatches for 2 messages\n', stderr: '' });
  });
});

describe('work', () => {
  it('sends in rounds until SIGTERM, then stops gracefully with exit 0', async () => {
    const dir = app(
      'work',
      dataConfig({
        seed: [
          { text: 'urgent', to: to('a', 'b', 'c'), priority: 5 },
          { text: 'later', to: to('d'), priority: 0 },
        ],
      }),
    );
    const child = startCli(
      ['work', '--poll-interval', '20', '--priority', '5', '--batch-size', '2', '--concurrency', '1'],
      dir.dir,
    );
    const done = collect(child);
    let seen = '';
    let stopping = false;
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('sent 3 /') && child.signalCode === null && !stopping) {
        stopping = true;
        child.kill('SIGTERM');
      }
    });
    const result = await done;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^worker \S+ started \(polling every 20 ms; SIGTERM stops it\)\n/);
    expect(result.stdout).toContain('sent 3 / error 0 / failed 0 / skipped 0\n');
    expect(result.stdout).toMatch(/worker stopped: sent 3 \/ error 0 \/ failed 0 \/ skipped 0\n$/);
    expect(dir.deliveries().map((d) => [d.text, d.batch])).toEqual([
      ['urgent', 2],
      ['urgent', 2],
      ['urgent', 1],
    ]);
  });
});
