import { z } from 'zod';
import { configError } from '../errors.js';
import type { SitemsgConfig } from './types.js';

const ALIAS = /^[a-z0-9][a-z0-9_.-]*$/i;

const isFunction = (value: unknown): boolean => typeof value === 'function';
const hasMethods =
  (...names: string[]) =>
  (value: unknown): boolean =>
    typeof value === 'object' &&
    value !== null &&
    names.every((n) => typeof (value as Record<string, unknown>)[n] === 'function');

const driverEntry = z.looseObject({
  driver: z.string({ error: 'needs a driver name (a string)' }).min(1, 'needs a driver name'),
  package: z.string().min(1, 'package must not be empty').optional(),
});

const messengerEntry = driverEntry.extend({ primary: z.boolean().optional() });

const messageType = z.custom(
  (value) =>
    isFunction(value) &&
    typeof (value as { alias?: unknown }).alias === 'string' &&
    isFunction((value as { compile?: unknown }).compile),
  { error: 'must be a class extending MessageType' },
);

const positive = z.number().positive();

/** The data form of a config file; strict, so a misspelt top-level option fails at start-up. */
const configSchema = z.strictObject({
  store: driverEntry.optional(),
  messengers: z
    .record(z.string().regex(ALIAS, 'messenger names are letters, digits, "_", "." and "-"'), messengerEntry)
    .optional(),
  messageTypes: z.array(messageType).optional(),
  secret: z.string().optional(),
  siteUrl: z.string().optional(),
  linkBasePath: z.string().optional(),
  linkTtlSeconds: positive.optional(),
  getUsers: z.custom(isFunction, { error: 'must be a function (ids) => Promise<users>' }).optional(),
  renderer: z.custom(hasMethods('render'), { error: 'must have a render() method' }).optional(),
  clock: z.custom(hasMethods('now', 'sleep'), { error: 'must have now() and sleep()' }).optional(),
  random: z.custom(isFunction, { error: 'must be a function' }).optional(),
  logger: z.custom((v) => typeof v === 'object' && v !== null, { error: 'must be an object' }).optional(),
  backoff: z
    .strictObject({
      baseMs: positive.optional(),
      factor: positive.optional(),
      maxMs: positive.optional(),
      jitter: z.number().min(0).max(1).optional(),
    })
    .optional(),
  leaseMs: positive.optional(),
  workerId: z.string().min(1).optional(),
  healthTimeoutMs: positive.optional(),
});

/** The top-level options a data config may have. */
export const CONFIG_KEYS: readonly string[] = Object.keys(configSchema.shape);

/**
 * Checks a data config's shape. Messages name the path and, for a value that came from the
 * environment, the variable; they never quote a value (it may be a secret).
 */
export function validateConfig(
  raw: Readonly<Record<string, unknown>>,
  origins: ReadonlyMap<string, string> = new Map(),
): SitemsgConfig {
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data as SitemsgConfig;
  const lines = result.error.issues.flatMap((issue) => describeIssue(issue, origins));
  throw configError(lines.join('; '));
}

function describeIssue(issue: z.core.$ZodIssue, origins: ReadonlyMap<string, string>): string[] {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const full = [...path, key].join('.');
      const where = path.length === 0 ? `unknown option "${key}"` : `${path.join('.')}: unknown key "${key}"`;
      const known = path.length === 0 ? ` (known: ${CONFIG_KEYS.join(', ')})` : '';
      const origin = fromEnv(origins, full);
      return `${where}${origin}${origin === '' ? known : ''}`;
    });
  }
  const full = path.join('.');
  const message = issue.message.replace(/^Invalid input: /, '');
  return [`${full === '' ? 'the config' : full}: ${message}${fromEnv(origins, full)}`];
}

function fromEnv(origins: ReadonlyMap<string, string>, path: string): string {
  for (const [set, name] of origins) {
    const related = path === set || path.startsWith(`${set}.`) || set.startsWith(`${path}.`);
    if (related) return ` (set by ${name})`;
  }
  return '';
}
