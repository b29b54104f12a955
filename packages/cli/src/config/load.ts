import { dirname } from 'node:path';
import type { Sitemsg } from '@sitemsg/core';
import { createJiti, type Jiti } from 'jiti';
import { bareMessage, configError } from '../errors.js';
import { buildEngine } from './build.js';
import { applyEnvOverrides, isRecord, overrideNames } from './env.js';
import { findConfigFile } from './find.js';
import { CONFIG_KEYS, validateConfig } from './schema.js';

export interface LoadEngineOptions {
  /** Where to look for `sitemsg.config.*`. Default: `process.cwd()`. */
  readonly cwd?: string;
  /** An explicit config file (relative to `cwd`). */
  readonly configPath?: string;
  /** Source of SITEMSG__* overrides. Default: `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where warnings go. Default: stderr. */
  readonly warn?: (line: string) => void;
}

export interface LoadedEngine {
  readonly engine: Sitemsg;
  readonly configFile: string;
  /** Names of the SITEMSG__* variables applied (never their values). */
  readonly overrides: readonly string[];
}

/**
 * Loads the application's config file (TypeScript or JavaScript, through jiti) and turns its
 * default export into an engine: a ready engine as it is, a data config through its drivers.
 */
export async function loadEngine(options: LoadEngineOptions = {}): Promise<LoadedEngine> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const warn = options.warn ?? ((line: string) => process.stderr.write(`${line}\n`));
  const configFile = findConfigFile(cwd, options.configPath);
  // Native import first keeps one copy of @sitemsg/core between the config and the CLI.
  const jiti = createJiti(configFile, { tryNative: true });
  const exported = await importDefault(jiti, configFile);
  if (isEngine(exported)) {
    const ignored = overrideNames(env);
    if (ignored.length > 0) {
      warn(
        `[sitemsg] config: ${ignored.join(', ')} ignored: the config exports a ready engine, not a data config.`,
      );
    }
    return { engine: exported, configFile, overrides: [] };
  }
  if (!isRecord(exported)) {
    throw configError(
      `${configFile} must default-export a config object, an engine (createSitemsg(...)) or a function returning one (got ${describeValue(exported)}).`,
    );
  }
  const { config, applied, origins } = applyEnvOverrides(exported, env, CONFIG_KEYS);
  const engine = await buildEngine(validateConfig(config, origins), {
    jiti,
    configDir: dirname(configFile),
    warn,
  });
  return { engine, configFile, overrides: applied };
}

async function importDefault(jiti: Jiti, configFile: string): Promise<unknown> {
  let module: unknown;
  try {
    module = await jiti.import(configFile);
  } catch (error) {
    throw configError(`could not load ${configFile}: ${bareMessage(error).split('\n')[0]}`, error);
  }
  if (!isRecord(module) || !('default' in module)) {
    throw configError(`${configFile} has no default export: export default { ... } or an engine.`);
  }
  const value = module.default;
  if (typeof value !== 'function') return value;
  try {
    return await (value as () => unknown)();
  } catch (error) {
    throw configError(`the function exported by ${configFile} failed: ${bareMessage(error)}`, error);
  }
}

/** Duck-typed: an engine built by another copy of @sitemsg/core is an engine all the same. */
function isEngine(value: unknown): value is Sitemsg {
  return (
    isRecord(value) &&
    typeof value.sendScheduledMessages === 'function' &&
    typeof value.work === 'function' &&
    typeof value.close === 'function'
  );
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
