// The sending loop: lanes that claim a batch, send it (batch.ts) and record its outcomes
// (outcomes.ts), until nothing is due or the caller stops them.
import { describeError } from '../errors.js';
import type { ClaimedDispatch } from '../types.js';
import { type ClaimedBatch, sendBatch } from './batch.js';
import { type EngineContext, nowDate } from './context.js';
import type { WrittenBatch } from './outcomes.js';

export interface SendOptions {
  /** Only messages of exactly this priority. */
  readonly priority?: number;
  /** Leave dispatches for unregistered messengers pending instead of recording an error. */
  readonly ignoreUnknownMessengers?: boolean;
  /** Leave dispatches of unregistered message types pending instead of recording an error. */
  readonly ignoreUnknownMessageTypes?: boolean;
  /** Dispatches claimed per batch. Default 100. */
  readonly batchSize?: number;
  /** Batches being sent at once (each lane also claims its next batch while one sends). Default 1. */
  readonly concurrency?: number;
  /** Stops claiming new batches once aborted (the batches in hand finish). */
  readonly signal?: AbortSignal;
  /** Called after each batch, e.g. for a progress bar. */
  readonly onBatch?: (counts: SendCounts) => void;
}

export interface SendCounts {
  sent: number;
  /** Retryable errors: the dispatch will be tried again after its back-off. */
  error: number;
  /** Permanent failures and exhausted retries. */
  failed: number;
  /** Suppressed (unsubscribed after scheduling): not sent, recorded as failed. */
  skipped: number;
}

/**
 * Claims and sends batches until nothing is due (or the signal aborts); returns the counts.
 * Each lane claims its next batch while the current one sends, so the claim's round trip overlaps
 * the messenger's work; a batch's outcomes are written before the next batch is sent, so that a
 * write that fails stops the lane before anything else goes out. One batch per lane is in the
 * messengers at a time; `concurrency` adds lanes.
 */
export async function sendScheduled(ctx: EngineContext, options: SendOptions = {}): Promise<SendCounts> {
  const total: SendCounts = { sent: 0, error: 0, failed: 0, skipped: 0 };
  // Dispatches this run recorded a retryable error for: a batch made only of them means nothing
  // new is due (they came due again at once, e.g. with no back-off), so the run ends after it.
  const retried = new Set<string>();
  const lanes = Math.max(1, options.concurrency ?? 1);
  const record = (written: WrittenBatch): void => {
    for (const id of written.retried) retried.add(id);
    addCounts(total, written.counts);
    options.onBatch?.({ ...total });
  };
  const lane = async (): Promise<void> => {
    let writing: Promise<void> = Promise.resolve();
    let next: Promise<ClaimedBatch> | null = options.signal?.aborted ? null : claimBatch(ctx, options);
    while (next !== null) {
      const batch = await afterBoth(next, writing);
      next = null;
      if (batch.claimed.length === 0) break;
      const fresh = batch.claimed.some((c) => !retried.has(c.dispatch.id));
      if (fresh && !options.signal?.aborted) next = handled(claimBatch(ctx, options));
      try {
        writing = (await sendBatch(ctx, batch)).write().then(record);
      } catch (error) {
        release(next);
        throw error;
      }
    }
    await writing;
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return total;
}

async function claimBatch(ctx: EngineContext, options: SendOptions): Promise<ClaimedBatch> {
  const { registry, options: o } = ctx;
  const claimed = await ctx.store.claim({
    owner: o.workerId,
    limit: Math.max(1, options.batchSize ?? 100),
    now: nowDate(ctx),
    leaseMs: o.leaseMs,
    ...(options.priority !== undefined && { priority: options.priority }),
    ...(options.ignoreUnknownMessengers && { messengers: [...registry.messengerMap.keys()] }),
    ...(options.ignoreUnknownMessageTypes && { messageTypes: [...registry.messageTypeMap.keys()] }),
  });
  return { claimed, renewal: startLeaseRenewal(ctx, claimed) };
}

/**
 * The next batch once the previous write has settled too. A failed write wins: that batch and the
 * one just claimed are let go, and come back when their leases expire (the at-least-once path).
 */
async function afterBoth(claiming: Promise<ClaimedBatch>, writing: Promise<void>): Promise<ClaimedBatch> {
  const [claim, write] = await Promise.allSettled([claiming, writing]);
  if (write.status === 'rejected') {
    if (claim.status === 'fulfilled') claim.value.renewal.stop();
    throw write.reason;
  }
  if (claim.status === 'rejected') throw claim.reason;
  return claim.value;
}

/** Marks a promise awaited later as handled, so that its failure meanwhile is not an unhandled rejection. */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

/** Lets a claimed batch go unsent: its leases are no longer renewed, so it returns when they expire. */
function release(claiming: Promise<ClaimedBatch> | null): void {
  claiming?.then(
    (batch) => batch.renewal.stop(),
    () => {},
  );
}

/** Keeps the batch's leases alive while it sends, so a short lease never expires under a slow provider. */
export function startLeaseRenewal(
  ctx: EngineContext,
  claimed: readonly ClaimedDispatch[],
): { stop: () => void } {
  if (claimed.length === 0) return { stop: () => {} };
  const { leaseMs, workerId, clock, logger } = ctx.options;
  const ids = claimed.map((c) => c.dispatch.id);
  const timer = setInterval(() => {
    ctx.store.renewLeases(workerId, ids, new Date(clock.now() + leaseMs)).catch((error: unknown) => {
      logger.warn(`[sitemsg] lease renewal failed: ${describeError(error)}`);
    });
  }, leaseMs / 3);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

export function addCounts(total: SendCounts, add: SendCounts): void {
  total.sent += add.sent;
  total.error += add.error;
  total.failed += add.failed;
  total.skipped += add.skipped;
}
