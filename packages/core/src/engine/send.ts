import { backoffDelay } from '../backoff.js';
import {
  DeliveryError,
  describeError,
  MessengerWarmupError,
  UnknownMessageTypeError,
  UnknownMessengerError,
} from '../errors.js';
import type { MessageTypeClass } from '../message-type.js';
import type { DispatchResult, Messenger, OutgoingDispatch } from '../messenger.js';
import type { CompletionOutcome } from '../store.js';
import type { ClaimedDispatch, DispatchRecord, MessageRecord } from '../types.js';
import { type EngineContext, nowDate } from './context.js';
import { compileAll } from './render.js';

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

type Verdict =
  | { dispatchId: string; error: unknown; permanent: boolean }
  | { dispatchId: string; sent: string | undefined };

interface Held {
  readonly dispatch: DispatchRecord;
  readonly message: MessageRecord;
  readonly type: MessageTypeClass | undefined;
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

/** A claimed batch whose leases are renewed from the moment it is claimed until its outcomes are written. */
interface ClaimedBatch {
  readonly claimed: readonly ClaimedDispatch[];
  readonly renewal: { stop(): void };
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

/** A batch that went through its messengers; `write()` records its outcomes, then emits events. */
interface SentBatch {
  write(): Promise<WrittenBatch>;
}

interface WrittenBatch {
  readonly counts: SendCounts;
  /** The dispatches recorded with a retryable error. */
  readonly retried: readonly string[];
}

/** Sends a claimed batch messenger by messenger; `write()` then records every outcome in one store call. */
async function sendBatch(ctx: EngineContext, { claimed, renewal }: ClaimedBatch): Promise<SentBatch> {
  try {
    const { verdicts, byMessenger } = partition(ctx, claimed);
    const suppressed = await findSuppressedHeld(ctx, [...byMessenger.values()].flat());
    const groups = [...byMessenger].map(([messenger, held]) =>
      sendThrough(
        ctx,
        messenger,
        held.filter((h) => !suppressed.has(h.dispatch.id)),
      ),
    );
    for (const result of await Promise.all(groups)) verdicts.push(...result);
    const skipped = [...suppressed].map((dispatchId) => ({
      dispatchId,
      error: new DeliveryError('suppressed: the address unsubscribed from this message type', {
        retryable: false,
      }),
      permanent: true,
    }));
    return {
      write: () => complete(ctx, claimed, [...verdicts, ...skipped], skipped.length).finally(renewal.stop),
    };
  } catch (error) {
    renewal.stop();
    throw error;
  }
}

/** Sorts a batch by messenger; what cannot be sent at all gets its verdict at once. */
function partition(
  ctx: EngineContext,
  claimed: readonly ClaimedDispatch[],
): { verdicts: Verdict[]; byMessenger: Map<Messenger, Held[]> } {
  const verdicts: Verdict[] = [];
  const byMessenger = new Map<Messenger, Held[]>();
  for (const { dispatch, message } of claimed) {
    const type = ctx.registry.messageTypeMap.get(message.type);
    const messenger = ctx.registry.messengerMap.get(dispatch.messenger);
    const problem = !type
      ? new UnknownMessageTypeError(message.type)
      : !messenger
        ? new UnknownMessengerError(dispatch.messenger)
        : null;
    if (problem) {
      verdicts.push({ dispatchId: dispatch.id, error: problem, permanent: false });
    } else if (overLimit(dispatch, type)) {
      const error = new Error(
        'retry limit reached: the workers holding it stopped before recording an outcome',
      );
      verdicts.push({ dispatchId: dispatch.id, error, permanent: true });
    } else if (messenger) {
      const list = byMessenger.get(messenger) ?? [];
      list.push({ dispatch, message, type });
      byMessenger.set(messenger, list);
    }
  }
  return { verdicts, byMessenger };
}

async function sendThrough(
  ctx: EngineContext,
  messenger: Messenger,
  held: readonly Held[],
): Promise<Verdict[]> {
  if (held.length === 0) return [];
  const { outgoing, failures } = await compileAll(
    ctx,
    held.map((h) => ({ dispatch: h.dispatch, message: h.message, type: h.type! })),
  );
  const verdicts: Verdict[] = failures.map((f) => ({ ...f, permanent: false }));
  if (outgoing.length === 0) return verdicts;
  try {
    await messenger.warmUp();
  } catch (cause) {
    const error = new MessengerWarmupError(messenger.alias, describeError(cause), { cause });
    ctx.options.logger.error(error.message, { messenger: messenger.alias, dispatches: outgoing.length });
    return [...verdicts, ...outgoing.map((o) => ({ dispatchId: o.dispatch.id, error, permanent: false }))];
  }
  try {
    verdicts.push(...toVerdicts(outgoing, await messenger.send(outgoing)));
  } catch (cause) {
    ctx.options.logger.error(`[sitemsg] [${messenger.alias}] send() threw: ${describeError(cause)}`);
    verdicts.push(...outgoing.map((o) => ({ dispatchId: o.dispatch.id, error: cause, permanent: false })));
  } finally {
    await messenger.coolDown().catch((cause: unknown) => {
      ctx.options.logger.warn(`[sitemsg] [${messenger.alias}] coolDown() failed: ${describeError(cause)}`);
    });
  }
  return verdicts;
}

function toVerdicts(outgoing: readonly OutgoingDispatch[], results: readonly DispatchResult[]): Verdict[] {
  const byId = new Map(results.map((r) => [r.dispatchId, r.result]));
  return outgoing.map(({ dispatch }) => {
    const result = byId.get(dispatch.id);
    if (!result) {
      return {
        dispatchId: dispatch.id,
        error: new Error('the messenger returned no outcome for it'),
        permanent: false,
      };
    }
    if (result.ok) return { dispatchId: dispatch.id, sent: result.value.providerMessageId };
    return { dispatchId: dispatch.id, error: result.error, permanent: !result.error.retryable };
  });
}

/** Applies the retry policy to the verdicts, writes them in one call, then emits events. */
async function complete(
  ctx: EngineContext,
  claimed: readonly ClaimedDispatch[],
  verdicts: readonly Verdict[],
  skipped: number,
): Promise<WrittenBatch> {
  const held = new Map(claimed.map((c) => [c.dispatch.id, c]));
  const now = nowDate(ctx);
  const outcomes: CompletionOutcome[] = verdicts.map((v) => decide(ctx, held.get(v.dispatchId)!, v, now));
  await writeWithRetry(ctx, outcomes, now);
  const counts: SendCounts = { sent: 0, error: 0, failed: 0, skipped };
  const retried: string[] = [];
  // Most applications do not listen to every send: skip building those payloads then.
  const announceSent = ctx.events.hasListeners('dispatch:sent');
  for (const [i, outcome] of outcomes.entries()) {
    const { dispatch, message } = held.get(outcome.dispatchId)!;
    if (outcome.status === 'sent') {
      counts.sent++;
      if (!announceSent) continue;
      const verdict = verdicts[i]!;
      const providerMessageId = 'sent' in verdict ? verdict.sent : undefined;
      ctx.events.emit('dispatch:sent', {
        dispatch,
        message,
        ...(providerMessageId && { providerMessageId }),
      });
    } else if (outcome.status === 'error') {
      counts.error++;
      retried.push(dispatch.id);
      ctx.events.emit('dispatch:error', {
        dispatch,
        message,
        error: outcome.error,
        nextAttemptAt: outcome.nextAttemptAt,
      });
    } else {
      counts.failed++;
      ctx.events.emit('dispatch:failed', { dispatch, message, error: outcome.error });
    }
  }
  counts.failed -= skipped;
  return { counts, retried };
}

/** Attempts were counted at claim time; an error on the attempt that reaches the limit fails the dispatch. */
function decide(ctx: EngineContext, held: ClaimedDispatch, verdict: Verdict, now: Date): CompletionOutcome {
  const { dispatch, message } = held;
  if ('sent' in verdict) return { dispatchId: dispatch.id, status: 'sent' };
  const error = describeError(verdict.error);
  const type = ctx.registry.messageTypeMap.get(message.type);
  const limit = type ? type.sendRetryLimit : 10;
  const exhausted = limit !== null && dispatch.attempts >= Math.max(1, limit);
  if (verdict.permanent || exhausted) return { dispatchId: dispatch.id, status: 'failed', error };
  const retryAfter = verdict.error instanceof DeliveryError ? (verdict.error.retryAfterMs ?? 0) : 0;
  const delay = Math.max(
    retryAfter,
    backoffDelay(dispatch.attempts, ctx.options.backoff, ctx.options.random),
  );
  return { dispatchId: dispatch.id, status: 'error', error, nextAttemptAt: new Date(now.getTime() + delay) };
}

/** Completion survives a short store outage; when it cannot be written, the lease expiry returns the dispatches. */
async function writeWithRetry(
  ctx: EngineContext,
  outcomes: readonly CompletionOutcome[],
  now: Date,
): Promise<void> {
  const { clock, logger, workerId, leaseMs } = ctx.options;
  const deadline = clock.now() + leaseMs;
  for (let attempt = 1; ; attempt++) {
    try {
      const written = await ctx.store.complete(workerId, outcomes, now);
      if (written < outcomes.length) {
        logger.warn(
          `[sitemsg] ${outcomes.length - written} outcomes not written: their lease was taken over.`,
        );
      }
      return;
    } catch (error) {
      const wait = Math.min(8000, 250 * 2 ** attempt);
      if (clock.now() + wait > deadline) throw error;
      logger.warn(
        `[sitemsg] could not record outcomes (attempt ${attempt}), retrying in ${wait} ms: ${describeError(error)}`,
      );
      await clock.sleep(wait);
    }
  }
}

/** Attempts beyond the limit only happen when workers died holding the dispatch: stop the crash loop. */
function overLimit(dispatch: DispatchRecord, type: MessageTypeClass | undefined): boolean {
  const limit = type?.sendRetryLimit ?? null;
  return limit !== null && dispatch.attempts > Math.max(1, limit);
}

async function findSuppressedHeld(ctx: EngineContext, held: readonly Held[]): Promise<Set<string>> {
  const ids = new Set<string>();
  const byType = new Map<string, Held[]>();
  for (const h of held) {
    const list = byType.get(h.message.type) ?? [];
    list.push(h);
    byType.set(h.message.type, list);
  }
  for (const [type, list] of byType) {
    const found = await ctx.store.findSuppressed(
      type,
      list.map((h) => h.dispatch),
    );
    if (found.length === 0) continue;
    const keys = new Set(found.map((s) => `${s.messenger}\u0000${s.address}`));
    for (const h of list)
      if (keys.has(`${h.dispatch.messenger}\u0000${h.dispatch.address}`)) ids.add(h.dispatch.id);
  }
  return ids;
}

/** Keeps the batch's leases alive while it sends, so a short lease never expires under a slow provider. */
function startLeaseRenewal(ctx: EngineContext, claimed: readonly ClaimedDispatch[]): { stop: () => void } {
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

function addCounts(total: SendCounts, add: SendCounts): void {
  total.sent += add.sent;
  total.error += add.error;
  total.failed += add.failed;
  total.skipped += add.skipped;
}
