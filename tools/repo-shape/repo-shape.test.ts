import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every publishable package has the same file set and package.json shape (see STYLE.md). */
const root = resolve(import.meta.dirname, '../..');
const packages = readdirSync(join(root, 'packages')).filter((d) =>
  existsSync(join(root, 'packages', d, 'package.json')),
);

describe.each(packages)('packages/%s', (dir) => {
  const base = join(root, 'packages', dir);
  const pkg = JSON.parse(readFileSync(join(base, 'package.json'), 'utf8'));

  it('has the standard files', () => {
    for (const file of ['README.md', 'src/index.ts', 'tsconfig.json', 'tsup.config.ts', 'vitest.config.ts']) {
      expect(existsSync(join(base, file)), file).toBe(true);
    }
    expect(readdirSync(join(base, 'test')).some((f) => f.endsWith('.test.ts'))).toBe(true);
  });

  it('is listed in the root README', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme, `a row for ${pkg.name}`).toContain(`[\`${pkg.name}\`](packages/${dir})`);
  });

  // One name, one meaning (STYLE.md: the file names its export): a reader who knows one channel
  // package or one store finds the same files in the next.
  it('names its files by the shared conventions', () => {
    const src = (file: string): boolean => existsSync(join(base, 'src', file));
    if (dir.startsWith('messenger-')) {
      const provider = dir.slice('messenger-'.length);
      expect(src(`${provider}-messenger.ts`), `src/${provider}-messenger.ts`).toBe(true);
      for (const role of ['messenger', 'outcome', 'webhook']) {
        expect(src(`${role}.ts`), `src/${role}.ts: name it ${provider}-${role}.ts`).toBe(false);
      }
    }
    if (dir.startsWith('store-')) {
      expect(src('migrations.ts'), 'src/migrations.ts').toBe(true);
      expect(src('migrate.ts'), 'src/migrate.ts: name it migrations.ts').toBe(false);
    }
    expect(src('links.ts'), 'src/links.ts: say which links (signed-links.ts, link-routes.ts)').toBe(false);
  });

  it('is an ESM package with source-first exports and the shared scripts', () => {
    expect(pkg.name).toBe(`@sitemsg/${dir}`);
    expect(pkg.type).toBe('module');
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.files).toEqual(['dist']);
    expect(pkg.engines.node).toBe('>=20.19');
    expect(pkg.publishConfig).toEqual({ access: 'public', provenance: true });
    expect(pkg.repository.directory).toBe(`packages/${dir}`);
    expect(Object.keys(pkg.exports['.'])).toEqual(['@sitemsg/source', 'types', 'default']);
    for (const script of ['build', 'typecheck', 'test', 'lint:package', 'lint:types']) {
      expect(pkg.scripts[script], script).toBeTypeOf('string');
    }
  });

  // The peer range is the whole 0.x line (`^0`), not `^0.y`: with `^`, every 0.x minor of core would
  // leave the plugins' peer range and changesets would push them to an unrequested 1.0.0. Real
  // incompatibility is caught at registration by the contract version.
  it('takes @sitemsg/core as a peer, never as a runtime dependency (plugins)', () => {
    if (dir === 'core') {
      expect(pkg.dependencies ?? {}).toEqual({});
      return;
    }
    expect(pkg.dependencies?.['@sitemsg/core']).toBeUndefined();
    expect(pkg.peerDependencies?.['@sitemsg/core']).toBe('workspace:^0');
  });
});

describe('workspace', () => {
  it('lists every package and example as a test project', async () => {
    const { testProjects } = await import('../../vitest.workspace.ts');
    expect(testProjects).toEqual(expect.arrayContaining(['packages/*', 'examples/*']));
  });

  // Only packages/* are published: the examples and the repository's own tooling (tools/test-servers)
  // are workspace packages too, and must never reach the registry by accident.
  it('keeps every workspace package outside packages/ private', () => {
    const unpublished = ['examples', 'tools'].flatMap((folder) =>
      readdirSync(join(root, folder))
        .map((dir) => join(root, folder, dir, 'package.json'))
        .filter((file) => existsSync(file)),
    );
    expect(unpublished.map((file) => file.slice(root.length + 1))).toContain(
      'tools/test-servers/package.json',
    );
    for (const file of unpublished) {
      expect(JSON.parse(readFileSync(file, 'utf8')).private, file).toBe(true);
    }
  });

  it('pins pnpm and keeps the README commands in step with it', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const version = pkg.packageManager.split('@')[1];
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toContain(`npx pnpm@${version} install && npx pnpm@${version} quickstart`);
    expect(readme).toContain(`npx pnpm@${version} install && npx pnpm@${version} test`);
  });
});
