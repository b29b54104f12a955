import { ValidationError } from './errors.js';
import { isStorableText } from './storable.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** How deeply a context may nest (objects and arrays); deeper ones are refused, not overflowed. */
export const MAX_CONTEXT_DEPTH = 64;

/**
 * Throws a ValidationError naming the path of the first value that would not survive a JSON
 * round trip into every store: functions, BigInts, class instances, NaN, undefined, cycles,
 * strings with NUL or a broken UTF-16 pair (PostgreSQL's jsonb refuses them), and nesting deeper
 * than `MAX_CONTEXT_DEPTH`. Stores keep contexts as JSON.
 */
export function assertJsonObject(value: unknown, what = 'context'): asserts value is JsonObject {
  if (!isPlainObject(value)) throw new ValidationError(`${what} must be a plain JSON object.`);
  check(value, what, new Set(), 0);
}

function check(value: unknown, path: string, seen: Set<unknown>, depth: number): void {
  if (value === null || typeof value === 'boolean') return;
  if (typeof value === 'string') {
    if (!isStorableText(value))
      throw new ValidationError(`${path} contains NUL or a broken UTF-16 pair, which no store can hold.`);
    return;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ValidationError(`${path} is ${value}, which JSON cannot hold.`);
    return;
  }
  if (typeof value !== 'object')
    throw new ValidationError(`${path} is a ${typeof value}, which is not JSON-safe.`);
  if (seen.has(value)) throw new ValidationError(`${path} is a circular reference.`);
  if (depth >= MAX_CONTEXT_DEPTH)
    throw new ValidationError(`${path} nests deeper than ${MAX_CONTEXT_DEPTH} levels.`);
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) check(value[i], `${path}[${i}]`, seen, depth + 1);
  } else if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (!isStorableText(k))
        throw new ValidationError(
          `${path} has a key with NUL or a broken UTF-16 pair: ${JSON.stringify(k)}.`,
        );
      check(v, `${path}.${k}`, seen, depth + 1);
    }
  } else
    throw new ValidationError(
      `${path} is a ${value.constructor?.name ?? 'object'} instance; pass plain JSON data.`,
    );
  seen.delete(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
