import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSitemsg } from '@sitemsg/core';
import { ConfigurationError } from '@sitemsg/core/plugin';
import { describe, expect, it, onTestFinished } from 'vitest';
import { PgliteStore } from '../src/pglite.js';
import { ListMessenger } from './support/messenger.js';

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sitemsg-pglite-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('PgliteStore', () => {
  it('persists to its directory: what one run scheduled, the next one sends', async () => {
    const dataDir = join(await tempDir(), 'db');
    const first = createSitemsg({ store: new PgliteStore({ dataDir }), messengers: [new ListMessenger()] });
    await first.scheduleMessages('kept on disk', first.recipients('test', ['a@x.test', 'b@x.test']));
    await first.close();
    expect(existsSync(`${dataDir}.lock`)).toBe(false);

    const messenger = new ListMessenger();
    const second = createSitemsg({ store: new PgliteStore({ dataDir }), messengers: [messenger] });
    onTestFinished(() => second.close());
    expect(await second.sendScheduledMessages()).toMatchObject({ sent: 2 });
    expect(messenger.sent.map((o) => o.compiled.text)).toEqual(['kept on disk', 'kept on disk']);
  });

  it('holds a lock file: a second store on the directory fails until the first closes; a dead holder is taken over', async () => {
    const dataDir = join(await tempDir(), 'db');
    const first = new PgliteStore({ dataDir });
    await first.init();
    const second = new PgliteStore({ dataDir });
    const refused = await second.init().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConfigurationError);
    expect(String(refused)).toMatch(/is in use by process \d+ .*PGlite serves one process/);
    await first.close();
    // A lock left by a process that died (pid numbers wrap far below this one) is taken over.
    await writeFile(`${dataDir}.lock`, '2147483646');
    await second.init();
    expect(await second.countDispatches()).toEqual({
      pending: 0,
      processing: 0,
      sent: 0,
      error: 0,
      failed: 0,
    });
    await second.close();
  });

  it('runs in memory without a directory, and refuses an empty one', async () => {
    const store = new PgliteStore();
    await store.init();
    expect((await store.healthCheck()).status).toBe('healthy');
    await store.close();
    expect(() => new PgliteStore({ dataDir: '' })).toThrow(ConfigurationError);
  });

  it('refuses what it would ignore: connection keys, listen, unknown keys, a second argument', () => {
    for (const key of ['connectionString', 'pool', 'poolConfig']) {
      expect(() => new PgliteStore({ [key]: 'x' } as never)).toThrow(
        `[sitemsg] [pglite] "${key}" does not apply to PgliteStore, which runs its own database in this process`,
      );
    }
    expect(() => new PgliteStore({ listen: true } as never)).toThrow(/"listen" is not available on PGlite/);
    expect(() => new PgliteStore({ dataDir: 'x', shema: 'app' } as never)).toThrow(
      /Unknown option "shema": PgliteStore takes dataDir, schema, tablePrefix/,
    );
    // Before, the second argument was dropped: the tables went to public.
    const second = (): PgliteStore =>
      new (PgliteStore as new (...args: unknown[]) => PgliteStore)({ dataDir: 'x' }, { schema: 'app' });
    expect(second).toThrow(ConfigurationError);
    expect(second).toThrow(/PgliteStore takes one argument: put "schema" in it, beside dataDir/);
    expect(
      () => new PgliteStore({ schema: 'app', tablePrefix: 'p_', preparedStatements: false }),
    ).not.toThrow();
  });
});
