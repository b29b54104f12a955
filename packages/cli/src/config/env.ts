import { configError } from '../errors.js';

const PREFIX = 'SITEMSG__';

export interface EnvOverrides {
  readonly config: Record<string, unknown>;
  /** Names (never values) of the variables applied, for --verbose. */
  readonly applied: readonly string[];
  /** Config path (`messengers.smtp.host`) -> the variable that set it, for error messages. */
  readonly origins: ReadonlyMap<string, string>;
}

/** The SITEMSG__* variables of an environment, shallowest first so that deeper ones refine them. */
export function overrideNames(env: Readonly<Record<string, string | undefined>>): string[] {
  return Object.keys(env)
    .filter((name) => name.toUpperCase().startsWith(PREFIX) && env[name] !== undefined)
    .sort((a, b) => a.split('__').length - b.split('__').length || a.localeCompare(b));
}

/**
 * Applies `SITEMSG__A__B=value` overrides to a data config without mutating it. Each segment
 * matches an existing key case-insensitively (underscores ignored, so CONNECTION_STRING finds
 * connectionString); the first segment may also be a known top-level option not in the file, or
 * name a messenger (`SITEMSG__SMTP__HOST` is `messengers.smtp.host`); any other key is created in camelCase.
 * Values are parsed as JSON when they parse, else kept as strings.
 */
export function applyEnvOverrides(
  config: Readonly<Record<string, unknown>>,
  env: Readonly<Record<string, string | undefined>>,
  knownKeys: readonly string[] = [],
): EnvOverrides {
  let result: Record<string, unknown> = { ...config };
  const applied: string[] = [];
  const origins = new Map<string, string>();
  for (const name of overrideNames(env)) {
    const segments = name.slice(PREFIX.length).split('__');
    if (segments.some((s) => s === '')) throw configError(`${name}: empty key between "__" separators.`);
    const path = resolvePath(result, segments, name, knownKeys);
    result = setPath(result, path, parseValue(env[name]!), name);
    applied.push(name);
    origins.set(path.join('.'), name);
  }
  return { config: result, applied, origins };
}

function resolvePath(
  config: Record<string, unknown>,
  segments: readonly string[],
  name: string,
  knownKeys: readonly string[],
): string[] {
  const [first, ...rest] = segments as [string, ...string[]];
  const top = matchKey(config, first) ?? matchName(knownKeys, first);
  const messengers = config.messengers;
  const path =
    top === undefined && isRecord(messengers) && matchKey(messengers, first) !== undefined
      ? ['messengers', matchKey(messengers, first)!]
      : [top ?? camelCase(first)];
  let node: unknown = getPath(config, path);
  for (const segment of rest) {
    if (node !== undefined && !isRecord(node)) {
      throw configError(`${name}: ${path.join('.')} is not an object in the config, so it has no keys.`);
    }
    const key = (isRecord(node) ? matchKey(node, segment) : undefined) ?? camelCase(segment);
    path.push(key);
    node = isRecord(node) ? node[key] : undefined;
  }
  return path;
}

function setPath(
  node: Record<string, unknown>,
  path: readonly string[],
  value: unknown,
  name: string,
): Record<string, unknown> {
  const [key, ...rest] = path as [string, ...string[]];
  if (rest.length === 0) return { ...node, [key]: value };
  const child = node[key] ?? {};
  if (!isRecord(child)) throw configError(`${name}: ${key} is not an object in the config.`);
  return { ...node, [key]: setPath(child, rest, value, name) };
}

function getPath(node: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((n, key) => (isRecord(n) ? n[key] : undefined), node);
}

function matchKey(node: Record<string, unknown>, segment: string): string | undefined {
  return matchName(Object.keys(node), segment);
}

function matchName(keys: readonly string[], segment: string): string | undefined {
  const wanted = normalize(segment);
  return keys.find((key) => normalize(key) === wanted);
}

function normalize(key: string): string {
  return key.toLowerCase().replace(/[_-]/g, '');
}

function camelCase(segment: string): string {
  return segment.toLowerCase().replace(/_+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
