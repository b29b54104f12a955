import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { configError } from '../errors.js';

export const CONFIG_NAMES: readonly string[] = [
  'sitemsg.config.ts',
  'sitemsg.config.mts',
  'sitemsg.config.mjs',
  'sitemsg.config.js',
  'sitemsg.config.cjs',
];

/** The config file: `--config PATH` (relative to cwd) or the first `sitemsg.config.*` in cwd. */
export function findConfigFile(cwd: string, explicit?: string): string {
  if (explicit !== undefined) {
    const path = resolve(cwd, explicit);
    if (!existsSync(path)) throw configError(`${path} does not exist (given by --config).`);
    return path;
  }
  for (const name of CONFIG_NAMES) {
    const path = join(cwd, name);
    if (existsSync(path)) return path;
  }
  throw configError(
    `no sitemsg.config.{ts,mts,mjs,js,cjs} in ${cwd}: create one there or pass --config PATH.`,
  );
}
