import { afterAll, describe, expect, it } from 'vitest';
import { AppDir, dataConfig, runCli } from './run-cli.js';

const apps: AppDir[] = [];
function app(name: string): AppDir {
  const made = new AppDir(`config-${name}`);
  apps.push(made);
  return made;
}
afterAll(() => {
  for (const a of apps) a.remove();
});

const SEED = [{ text: 'hello', to: ['a@x.test', 'b@x.test'] }];

async function failsWith(dir: AppDir, message: string, args = ['send-scheduled'], env = {}): Promise<string> {
  const result = await runCli(args, dir.dir, env);
  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr).toContain(message);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  return result.stderr;
}

describe('loading the config', () => {
  it('loads a TypeScript config whose message types come from the same @sitemsg/core as the CLI', async () => {
    const dir = app('typescript');
    dir.write(
      'sitemsg.config.ts',
      dataConfig({
        head: `import { MessageType, PlainTextMessage, type RenderContext } from '@sitemsg/core';
class Welcome extends MessageType {
  static override alias = 'welcome';
  static override compile(r: RenderContext) {
    return { text: \`welcome \${String(r.context.name)}\` };
  }
}`,
        extra: 'messageTypes: [PlainTextMessage, Welcome],',
        seed: SEED,
      }),
    );
    const result = await runCli(['send-scheduled', '--verbose'], dir.dir);
    expect(result.stdout).toBe('sent 2 / error 0 / failed 0 / skipped 0\n');
    expect(result.stderr).toBe(`[sitemsg] config: ${dir.path('sitemsg.config.ts')}\n`);
    expect(result.code).toBe(0);
  });

  it('fails clearly when there is no config file, or the --config file is missing', async () => {
    const dir = app('none');
    await failsWith(dir, `[sitemsg] config: no sitemsg.config.{ts,mts,mjs,js,cjs} in ${dir.dir}`);
    await failsWith(dir, '[sitemsg] config: ', ['prepare', '--config', 'elsewhere.ts']);
  });

  it('rejects an unknown top-level option with exit 1, and shows the stack only with --verbose', async () => {
    const dir = app('unknown-option');
    dir.write('sitemsg.config.ts', dataConfig({ extra: 'sitUrl: "https://x.test",' }));
    const stderr = await failsWith(
      dir,
      '[sitemsg] config: unknown option "sitUrl" (known: store, messengers,',
    );
    expect(stderr.trim().split('\n')).toHaveLength(1);
    const verbose = await runCli(['send-scheduled', '--verbose'], dir.dir);
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toMatch(/ConfigurationError: \[sitemsg\] config: unknown option[\s\S]*\n\s+at /);
  });

  it('names the path of a value of the wrong type', async () => {
    const dir = app('bad-type');
    dir.write('sitemsg.config.ts', dataConfig({ extra: 'leaseMs: "soon",' }));
    await failsWith(dir, '[sitemsg] config: leaseMs: expected number, received string');
  });

  it('rejects an unknown driver name, naming the known ones', async () => {
    const dir = app('unknown-driver');
    dir.write('sitemsg.config.ts', dataConfig({ messengers: `mail: { driver: 'smpt', host: 'h' },` }));
    await failsWith(
      dir,
      '[sitemsg] config: messengers.mail: unknown messenger driver "smpt" (known: smtp, sendgrid, twilio, vonage, apns, fcm, webpush, inbox)',
    );
  });

  it('takes an installed package named as the driver, using its one driver of that kind', async () => {
    const dir = app('driver-package');
    dir.write(
      'node_modules/@acme/sitemsg-fake/package.json',
      JSON.stringify({ name: '@acme/sitemsg-fake', type: 'module', exports: './index.mjs' }),
    );
    dir.write(
      'node_modules/@acme/sitemsg-fake/index.mjs',
      "export * from '../../../fixtures/fake-driver.mjs';\n",
    );
    dir.write(
      'sitemsg.config.mjs',
      `export default { messengers: { fax: { driver: '@acme/sitemsg-fake', outFile: './out.jsonl' } } };\n`,
    );
    const result = await runCli(['probe', 'fax', '--to', 'ops@x.test', '--text', 'ping'], dir.dir);
    expect(result.code).toBe(0);
    expect(dir.deliveries().map((d) => [d.to, d.text])).toEqual([['ops@x.test', 'ping']]);
    dir.write(
      'sitemsg.config.mjs',
      `export default { messengers: { fax: { driver: '@acme/sitemsg-nothing' } } };\n`,
    );
    await failsWith(
      dir,
      'messengers.fax: driver "@acme/sitemsg-nothing" needs the package "@acme/sitemsg-nothing", which is not installed',
    );
  });

  it('says which package to install when a first-party driver package is missing', async () => {
    const dir = app('missing-package');
    dir.write(
      'sitemsg.config.mjs',
      `export default { store: { driver: 'postgres', connectionString: 'postgres://u:pw@h/db' } };\n`,
    );
    const stderr = await failsWith(
      dir,
      '[sitemsg] config: store: driver "postgres" needs the package "@sitemsg/store-postgres", which is not installed',
    );
    expect(stderr).not.toContain('pw@h');
  });

  it('says so when a driver module is missing or exports no such driver', async () => {
    const dir = app('bad-module');
    dir.write(
      'sitemsg.config.mjs',
      `export default { messengers: { sms: { driver: 'sms', package: './fixtures/nothing.mjs' } } };\n`,
    );
    await failsWith(dir, 'messengers.sms: the driver module "./fixtures/nothing.mjs" was not found in');
    dir.write(
      'sitemsg.config.mjs',
      `export default { messengers: { sms: { driver: 'sms', package: './fixtures/no-drivers.mjs' } } };\n`,
    );
    await failsWith(
      dir,
      'messengers.sms: "./fixtures/no-drivers.mjs" exports no messenger driver named "sms" (it offers: none)',
    );
    dir.write(
      'sitemsg.config.mjs',
      `export default { messengers: { sms: { driver: 'seeded', package: './fixtures/fake-driver.mjs' } } };\n`,
    );
    await failsWith(
      dir,
      'exports no messenger driver named "seeded" (it offers: messenger "fake", store "seeded")',
    );
  });

  it("passes a driver's own option error on, under the entry's path", async () => {
    const dir = app('driver-option');
    dir.write('sitemsg.config.ts', dataConfig({ smtp: `hots: 'typo',` }));
    await failsWith(dir, '[sitemsg] config: messengers.smtp: [smtp] unknown option "hots".');
  });

  it('refuses two messengers of one driver marked primary', async () => {
    const dir = app('two-primaries');
    dir.write(
      'sitemsg.config.ts',
      dataConfig({
        smtp: 'primary: true,',
        messengers: `backup: { driver: 'fake', package: './fixtures/fake-driver.mjs', outFile, primary: true },`,
      }),
    );
    await failsWith(
      dir,
      '[sitemsg] config: messengers.smtp and messengers.backup are both marked primary for driver "fake"',
    );
  });

  it("reports core's own option errors as config errors without the secret's value", async () => {
    const dir = app('short-secret');
    dir.write('sitemsg.config.ts', dataConfig());
    const stderr = await failsWith(
      dir,
      '[sitemsg] config: secret must be a string of at least 16 characters',
      undefined,
      {
        SITEMSG__SECRET: 'tooshort-42',
      },
    );
    expect(stderr).not.toContain('tooshort-42');
  });

  it('reports a config module that does not load, or exports nothing usable', async () => {
    const dir = app('broken');
    dir.write('sitemsg.config.ts', 'export default {\n');
    await failsWith(dir, `[sitemsg] config: could not load ${dir.path('sitemsg.config.ts')}`);
    dir.write('sitemsg.config.ts', 'export const x = 1;\n');
    await failsWith(dir, 'has no default export');
    dir.write('sitemsg.config.ts', 'export default 42;\n');
    await failsWith(
      dir,
      'must default-export a config object, an engine (createSitemsg(...)) or a function returning one (got number)',
    );
    dir.write('sitemsg.config.ts', 'export default () => { throw new Error("no database url"); };\n');
    await failsWith(dir, 'failed: Error: no database url');
  });
});

describe('environment overrides', () => {
  it('reach the messenger: case-insensitive keys, messenger shortcut, JSON values, new keys in camelCase', async () => {
    const dir = app('env');
    dir.write('sitemsg.config.ts', dataConfig({ seed: SEED }));
    const secret = 'pa55-word-from-env';
    const result = await runCli(['send-scheduled', '--verbose'], dir.dir, {
      SITEMSG__SMTP__HOST: 'env-host',
      SITEMSG__MESSENGERS__SMTP__PASSWORD: secret,
      SITEMSG__SMTP__FAIL_ADDRESSES: '["b@x.test"]',
      SITEMSG__SITEURL: 'https://env.example.test',
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('sent 1 / error 0 / failed 1 / skipped 0\n');
    expect(result.stderr).toContain(
      '[sitemsg] config: overridden by SITEMSG__SITEURL, SITEMSG__SMTP__FAIL_ADDRESSES, SITEMSG__SMTP__HOST, SITEMSG__MESSENGERS__SMTP__PASSWORD',
    );
    expect(result.stdout + result.stderr).not.toContain(secret);
    expect(dir.deliveries()).toEqual([
      expect.objectContaining({ messenger: 'smtp', to: 'a@x.test', host: 'env-host', password: secret }),
    ]);
  });

  it('name the variable when an override is invalid', async () => {
    const dir = app('env-bad');
    dir.write('sitemsg.config.ts', dataConfig());
    await failsWith(dir, '[sitemsg] config: unknown option "smpt" (set by SITEMSG__SMPT__HOST)', undefined, {
      SITEMSG__SMPT__HOST: 'x',
    });
    await failsWith(
      dir,
      '[sitemsg] config: leaseMs: expected number, received string (set by SITEMSG__LEASE_MS)',
      undefined,
      {
        SITEMSG__LEASE_MS: 'soon',
      },
    );
    await failsWith(dir, 'SITEMSG__SITEURL__X: siteUrl is not an object in the config', undefined, {
      SITEMSG__SITEURL__X: '1',
      SITEMSG__SITEURL: '"https://x.test"',
    });
  });
});
