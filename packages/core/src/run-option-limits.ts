/**
 * Checks the options of a send run, a worker and a cleanup at the call, before anything is claimed
 * or deleted. Without it, `concurrency: NaN` or `batchSize: 0.5` quietly sent nothing,
 * `concurrency: 1_000_000` spent seconds and gigabytes starting lanes, and `cleanupSentMessages({ ago:
 * 1e300 })` computed an invalid date that the memory store read as "everything".
 */
import type { SendOptions } from './engine/send.js';
import type { WorkOptions } from './engine/worker.js';
import { ValidationError } from './errors.js';

/** The documented bounds of the numeric run options (inclusive). The CLI checks its flags against them too. */
export const RUN_OPTION_LIMITS: {
  readonly concurrency: { readonly min: number; readonly max: number };
  readonly batchSize: { readonly min: number; readonly max: number };
  readonly pollInterval: { readonly min: number; readonly max: number };
  readonly cleanupAgoDays: { readonly min: number; readonly max: number };
} = {
  /** Lanes, each with one batch sending and one claimed ahead: more only contends on the store. */
  concurrency: { min: 1, max: 64 },
  /** Dispatches per claim: a bigger claim holds leases (and memory) longer than it saves round trips. */
  batchSize: { min: 1, max: 10_000 },
  /** ms between idle polls: at least 10 (no busy loop), at most one hour. */
  pollInterval: { min: 10, max: 3_600_000 },
  /** Days: 100 years, far past any retention policy and well inside what a Date can hold. */
  cleanupAgoDays: { min: 0, max: 36_525 },
};

const SEND_KEYS = [
  'priority',
  'ignoreUnknownMessengers',
  'ignoreUnknownMessageTypes',
  'batchSize',
  'concurrency',
  'signal',
  'onBatch',
] as const satisfies readonly (keyof SendOptions)[];

const WORK_KEYS = [
  'priority',
  'ignoreUnknownMessengers',
  'ignoreUnknownMessageTypes',
  'batchSize',
  'concurrency',
  'pollInterval',
  'signal',
  'prepare',
  'handleSignals',
  'onRound',
] as const satisfies readonly (keyof WorkOptions)[];

const CLEANUP_KEYS = ['ago', 'dispatchesOnly'] as const;

/** Where a key that is unknown to one call does belong, so the error can say so. */
const BELONGS: Readonly<Record<string, string>> = {
  pollInterval: 'work()',
  prepare: 'work()',
  handleSignals: 'work()',
  onRound: 'work()',
  onBatch: 'sendScheduledMessages()',
  ago: 'cleanupSentMessages()',
  dispatchesOnly: 'cleanupSentMessages()',
  leaseMs: 'createSitemsg()',
  workerId: 'createSitemsg()',
  backoff: 'createSitemsg()',
};

function fail(call: string, what: string): never {
  throw new ValidationError(`[sitemsg] [${call}] ${what}`);
}

function checkKeys(call: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const home = BELONGS[key];
    fail(
      call,
      `unknown option "${key}"${home ? ` (it belongs to ${home})` : ''}: the options are ${known.join(', ')}.`,
    );
  }
}

function integerIn(call: string, name: keyof typeof RUN_OPTION_LIMITS, value: unknown, unit = ''): void {
  if (value === undefined) return;
  const { min, max } = RUN_OPTION_LIMITS[name];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(call, `${name} must be an integer from ${min} to ${max}${unit} (got ${String(value)}).`);
  }
}

function checkObject(call: string, options: unknown): options is Record<string, unknown> {
  if (options === undefined) return false;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    fail(call, 'options must be an object.');
  }
  return true;
}

function checkRun(call: string, o: Record<string, unknown>): void {
  integerIn(call, 'concurrency', o.concurrency);
  integerIn(call, 'batchSize', o.batchSize);
  if (o.priority !== undefined && !Number.isSafeInteger(o.priority)) {
    fail(call, `priority must be an integer (got ${String(o.priority)}).`);
  }
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal))
    fail(call, 'signal must be an AbortSignal.');
}

/** `sendScheduledMessages(options)`: a ValidationError naming the first bad or unknown option. */
export function checkSendOptions(options: unknown): void {
  const call = 'sendScheduledMessages';
  if (!checkObject(call, options)) return;
  checkKeys(call, options, SEND_KEYS);
  checkRun(call, options);
}

/** `work(options)`: a ValidationError naming the first bad or unknown option. */
export function checkWorkOptions(options: unknown): void {
  const call = 'work';
  if (!checkObject(call, options)) return;
  checkKeys(call, options, WORK_KEYS);
  checkRun(call, options);
  integerIn(call, 'pollInterval', options.pollInterval, ' ms');
}

/** `cleanupSentMessages(options)`: the cut-off date (null: every sent dispatch), or a ValidationError. */
export function cleanupCutoff(options: unknown, now: number): Date | null {
  const call = 'cleanupSentMessages';
  if (!checkObject(call, options)) return null;
  checkKeys(call, options, CLEANUP_KEYS);
  const { ago, dispatchesOnly } = options;
  if (dispatchesOnly !== undefined && typeof dispatchesOnly !== 'boolean') {
    fail(call, 'dispatchesOnly must be true or false.');
  }
  if (ago === undefined) return null;
  const { min, max } = RUN_OPTION_LIMITS.cleanupAgoDays;
  if (typeof ago !== 'number' || !Number.isFinite(ago) || ago < min || ago > max) {
    fail(call, `ago must be a number of days from ${min} to ${max} (100 years; got ${String(ago)}).`);
  }
  const cutoff = new Date(now - ago * 86_400_000);
  // A clock far in the past could still push the cut-off out of a Date's range: never read as "all".
  if (Number.isNaN(cutoff.getTime())) fail(call, `ago ${ago} days before now is not a valid date.`);
  return cutoff;
}
