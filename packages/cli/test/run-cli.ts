import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = dirname(here);
export const BIN: string = join(packageDir, 'src', 'bin.ts');
const TSX: string = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** The real CLI as a user runs it, from source: node + tsx with the source condition. */
export const NODE_ARGS: readonly string[] = ['--import', TSX, '--conditions=@sitemsg/source', BIN];

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * A throwaway application directory inside the package (so `@sitemsg/core` resolves from it),
 * with the fixture driver copied to ./fixtures as a third-party driver would be installed.
 */
export class AppDir {
  readonly dir: string;

  constructor(name: string) {
    this.dir = join(packageDir, '.tmp', `${name}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
    mkdirSync(join(this.dir, 'fixtures'), { recursive: true });
    for (const file of ['fake-driver.mjs', 'no-drivers.mjs']) {
      copyFileSync(join(here, 'fixtures', file), join(this.dir, 'fixtures', file));
    }
  }

  path(file: string): string {
    return join(this.dir, file);
  }

  write(file: string, text: string): string {
    mkdirSync(dirname(this.path(file)), { recursive: true });
    writeFileSync(this.path(file), text);
    return this.path(file);
  }

  /** The JSON lines the fake messenger appended to `file`. */
  deliveries(file = 'out.jsonl'): Record<string, unknown>[] {
    let text = '';
    try {
      text = readFileSync(this.path(file), 'utf8');
    } catch {
      return [];
    }
    return text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The environment of a child: this one's plus `extra`, without SITEMSG__* variables and without
 * the NODE_PATH pnpm's bin shims set (it reaches every workspace package, which an application
 * directory would not).
 */
export function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('SITEMSG__') && k !== 'NODE_PATH') env[k] = v;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

export function startCli(
  args: readonly string[],
  cwd: string,
  env: Record<string, string> = {},
): ChildProcess {
  return spawn(process.execPath, [...NODE_ARGS, ...args], { cwd, env: childEnv(env) });
}

export function runCli(
  args: readonly string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<CliResult> {
  return collect(startCli(args, cwd, env));
}

export function collect(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface DataConfigOptions {
  readonly seed?: readonly Record<string, unknown>[];
  readonly subscriptions?: readonly Record<string, unknown>[];
  /** Extra options of the `smtp` messenger entry, as source text. */
  readonly smtp?: string;
  /** More messenger entries, as source text. */
  readonly messengers?: string;
  /** More top-level keys, as source text. */
  readonly extra?: string;
  /** Lines placed before the config (imports). */
  readonly head?: string;
}

/** A data config (TypeScript) using the fixture drivers: a seeded memory store and the fake messenger. */
export function dataConfig(options: DataConfigOptions = {}): string {
  const store = { driver: 'seeded', package: './fixtures/fake-driver.mjs', seed: options.seed ?? [] };
  const withSubs = options.subscriptions ? { ...store, subscriptions: options.subscriptions } : store;
  return `${options.head ?? ''}
const outFile: string = './out.jsonl';
export default {
  store: ${JSON.stringify(withSubs)},
  messengers: {
    smtp: { driver: 'fake', package: './fixtures/fake-driver.mjs', outFile, host: 'file-host', ${options.smtp ?? ''} },
    ${options.messengers ?? ''}
  },
  ${options.extra ?? ''}
};
`;
}

/** Waits for a real event by polling (every 20 ms, at most 30 s): no fixed sleep. */
export async function until(condition: () => boolean, what = 'the condition'): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 30_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
