import { ValidationError } from './errors.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * Throws a ValidationError naming the path of the first value that would not survive a JSON
 * round trip (functions, class instances, NaN, undefined, cycles). Stores keep contexts as JSON.
 */
export function assertJsonObject(value: unknown, what = 'context'): asserts value is JsonObject {
  if (!isPlainObject(value)) throw new ValidationError(`${what} must be a plain JSON object.`);
  check(value, what, new Set());
}

function check(value: unknown, path: string, seen: Set<unknown>): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ValidationError(`${path} is ${value}, which JSON cannot hold.`);
    return;
  }
  if (typeof value !== 'object')
    throw new ValidationError(`${path} is a ${typeof value}, which is not JSON-safe.`);
  if (seen.has(value)) throw new ValidationError(`${path} is a circular reference.`);
  seen.add(value);
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) check(item, `${path}[${i}]`, seen);
  } else if (isPlainObject(value)) for (const [k, v] of Object.entries(value)) check(v, `${path}.${k}`, seen);
  else
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
