// The sending loop: lanes that claim a batch, send it (batch.ts) and record its outcomes
// (outcomes.ts), until nothing is due or the caller stops them.
import { type ClaimedBatch, sendBatch } from './batch.js';
import type { EngineContext } from './context.js';
import { type ClaimFilters, claimBatch, release } from './lease.js';
import { addCounts, type SendCounts, type WrittenBatch } from './outcomes.js';

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
  const filters = claimFilters(ctx, options);
  const record = (written: WrittenBatch): void => {
    for (const id of written.retried) retried.add(id);
    addCounts(total, written.counts);
    options.onBatch?.({ ...total });
  };
  const lane = async (): Promise<void> => {
    let writing: Promise<void> = Promise.resolve();
    let next: Promise<ClaimedBatch> | null = options.signal?.aborted ? null : claimBatch(ctx, filters);
    while (next !== null) {
      const batch = await afterBoth(next, writing);
      next = null;
      if (batch.claimed.length === 0) break;
      const fresh = batch.claimed.some((c) => !retried.has(c.dispatch.id));
      if (fresh && !options.signal?.aborted) next = handled(claimBatch(ctx, filters));
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

/** The run's claim filters: unknown messengers and types left alone when asked to. */
function claimFilters(ctx: EngineContext, options: SendOptions): ClaimFilters {
  const { registry } = ctx;
  return {
    limit: Math.max(1, options.batchSize ?? 100),
    ...(options.priority !== undefined && { priority: options.priority }),
    ...(options.ignoreUnknownMessengers && { messengers: [...registry.messengerMap.keys()] }),
    ...(options.ignoreUnknownMessageTypes && { messageTypes: [...registry.messageTypeMap.keys()] }),
  };
}
