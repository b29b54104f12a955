// What a sent batch's verdicts become: the retry policy (back-off, limits), one store write that
// survives a short outage, then the events.
import { backoffDelay } from '../backoff.js';
import { DeliveryError, describeError, StoreError } from '../errors.js';
import { MAX_KEY_BYTES, storableText } from '../storable.js';
import type { CompletionOutcome } from '../store.js';
import type { ClaimedDispatch } from '../types.js';
import { type EngineContext, nowDate } from './context.js';
import { recordFeedback } from './feedback.js';

/** What a send run did, batch by batch: the counts `sendScheduledMessages()` returns. */
export interface SendCounts {
  sent: number;
  /** Retryable errors: the dispatch will be tried again after its back-off. */
  error: number;
  /** Permanent failures and exhausted retries. */
  failed: number;
  /** Suppressed (unsubscribed after scheduling): not sent, recorded as failed. */
  skipped: number;
}

export function addCounts(total: SendCounts, add: SendCounts): void {
  total.sent += add.sent;
  total.error += add.error;
  total.failed += add.failed;
  total.skipped += add.skipped;
}

/** What became of one dispatch of a batch: sent (with the provider's id), or an error. */
export type Verdict =
  | { dispatchId: string; error: unknown; permanent: boolean }
  | { dispatchId: string; sent: string | undefined };

export interface WrittenBatch {
  readonly counts: SendCounts;
  /** The dispatches recorded with a retryable error. */
  readonly retried: readonly string[];
}

/** Applies the retry policy to the verdicts, writes them in one call, then emits events. */
export async function complete(
  ctx: EngineContext,
  claimed: readonly ClaimedDispatch[],
  verdicts: readonly Verdict[],
  skipped: number,
): Promise<WrittenBatch> {
  const held = new Map<string, ClaimedDispatch>();
  for (const c of claimed) held.set(c.dispatch.id, c);
  const now = nowDate(ctx);
  const decided = verdicts.map((v) => decide(ctx, held.get(v.dispatchId)!, v, now));
  const outcomes = await writeOutcomes(ctx, decided, now);
  const counts: SendCounts = { sent: 0, error: 0, failed: 0, skipped };
  const retried: string[] = [];
  // Most applications do not listen to every send: skip building those payloads then.
  const announceSent = ctx.events.hasListeners('dispatch:sent');
  for (let i = 0; i < outcomes.length; i++) {
    const outcome = outcomes[i]!;
    if (outcome.status === 'sent') {
      counts.sent++;
      if (!announceSent) continue;
      const { dispatch, message } = held.get(outcome.dispatchId)!;
      const verdict = verdicts[i]!;
      const providerMessageId = 'sent' in verdict ? verdict.sent : undefined;
      ctx.events.emit('dispatch:sent', {
        dispatch,
        message,
        ...(providerMessageId && { providerMessageId }),
      });
      continue;
    }
    const { dispatch, message } = held.get(outcome.dispatchId)!;
    if (outcome.status === 'error') {
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
  await recordAnsweredFeedback(ctx, held, verdicts, now);
  return { counts, retried };
}

/**
 * Feedback that came back on the send itself (FCM's UNREGISTERED, a STOP-ed number): recorded
 * like a webhook's, after the outcomes are written. A failure here is logged: the send is settled.
 */
async function recordAnsweredFeedback(
  ctx: EngineContext,
  held: ReadonlyMap<string, ClaimedDispatch>,
  verdicts: readonly Verdict[],
  now: Date,
): Promise<void> {
  for (const verdict of verdicts) {
    if (!('error' in verdict) || !(verdict.error instanceof DeliveryError) || !verdict.error.feedback)
      continue;
    const { dispatch } = held.get(verdict.dispatchId)!;
    const { feedback, providerCode, message } = verdict.error;
    const kind = typeof feedback === 'string' ? { kind: feedback } : feedback;
    await recordFeedback(ctx, {
      ...kind,
      messenger: dispatch.messenger,
      dispatchId: dispatch.id,
      ...(providerCode !== undefined && { providerCode }),
      detail: message,
      at: now,
    }).catch((error: unknown) => {
      ctx.options.logger.error(
        `[sitemsg] [${dispatch.messenger}] could not record the feedback of dispatch ${dispatch.id}: ${describeError(error)}`,
      );
    });
  }
}

/** Attempts were counted at claim time; an error on the attempt that reaches the limit fails the dispatch. */
function decide(ctx: EngineContext, held: ClaimedDispatch, verdict: Verdict, now: Date): CompletionOutcome {
  const { dispatch, message } = held;
  if ('sent' in verdict) {
    const providerMessageId = storableProviderId(verdict.sent);
    return providerMessageId === undefined
      ? { dispatchId: dispatch.id, status: 'sent' }
      : { dispatchId: dispatch.id, status: 'sent', providerMessageId };
  }
  // Provider text (an SMTP reply with a NUL in it) must never make the write fail: cleaned here, once.
  const error = storableText(describeError(verdict.error));
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

/**
 * Writes a batch's outcomes; returns them as written. It survives a short store outage (retries
 * with back-off within the lease). One outcome the store refuses must not take the others down
 * (sent ones above all: they would go out again): when the batch write fails, the outcomes are
 * written one by one, and one that the store still refuses is recorded as `failed` with the
 * store's reason. Only outcomes that cannot be written at all — an outage — are left to the lease,
 * whose expiry returns their dispatches (the at-least-once path).
 */
async function writeOutcomes(
  ctx: EngineContext,
  outcomes: readonly CompletionOutcome[],
  now: Date,
): Promise<CompletionOutcome[]> {
  const { clock, logger, leaseMs } = ctx.options;
  const deadline = clock.now() + leaseMs;
  const written = [...outcomes];
  let unwritten = outcomes.map((_, i) => i);
  for (let attempt = 1; ; attempt++) {
    try {
      await store(
        ctx,
        unwritten.map((i) => written[i]!),
        now,
      );
      return written;
    } catch (error) {
      if (unwritten.length > 1) unwritten = await oneByOne(ctx, written, unwritten, now);
      if (unwritten.length === 0) return written;
      const wait = Math.min(8000, 250 * 2 ** attempt);
      if (clock.now() + wait > deadline) throw error;
      logger.warn(
        `[sitemsg] could not record outcomes (attempt ${attempt}), retrying in ${wait} ms: ${describeError(error)}`,
      );
      await clock.sleep(wait);
    }
  }
}

async function store(ctx: EngineContext, outcomes: readonly CompletionOutcome[], now: Date): Promise<void> {
  const written = await ctx.store.complete(ctx.options.workerId, outcomes, now);
  if (written < outcomes.length) {
    ctx.options.logger.warn(
      `[sitemsg] ${outcomes.length - written} outcomes not written: their lease was taken over.`,
    );
  }
}

/**
 * Writes the outcomes at `indexes` one at a time, replacing in `written` any the store refuses by a
 * `failed` outcome that says why; returns the indexes still unwritten. A refusal is told from a
 * passing outage (a dropped connection, a pool being refilled) by the store's own word (a
 * `StoreError` marked `unavailable`) and, for stores that do not say, by asking twice: an outcome
 * whose own write fails twice while its `failed` form can be written is refused for what it holds. When
 * nothing at all could be written, the store is down: all are left unwritten.
 */
async function oneByOne(
  ctx: EngineContext,
  written: CompletionOutcome[],
  indexes: readonly number[],
  now: Date,
): Promise<number[]> {
  const unwritten: number[] = [];
  let anyWritten = false;
  for (const [n, i] of indexes.entries()) {
    const outcome = written[i]!;
    const refusal = await firstFailure(ctx, outcome, now);
    if (refusal === null) {
      anyWritten = true;
      continue;
    }
    if (StoreError.isInstance(refusal) && refusal.unavailable) {
      // Not a refusal but an outage: the outcome is tried again as it is, or left to the lease.
      if (!anyWritten) return indexes.slice(n);
      unwritten.push(i);
      continue;
    }
    const failed: CompletionOutcome = {
      dispatchId: outcome.dispatchId,
      status: 'failed',
      error: storableText(`the store refused this outcome (${outcome.status}): ${describeError(refusal)}`),
    };
    try {
      await store(ctx, [failed], now);
      written[i] = failed;
      anyWritten = true;
      ctx.options.logger.error(
        `[sitemsg] dispatch ${outcome.dispatchId} recorded as failed: ${failed.error}`,
      );
    } catch {
      if (!anyWritten) return indexes.slice(n);
      unwritten.push(i);
    }
  }
  return unwritten;
}

/** Writes one outcome, trying twice; null when it was written, else the last error. */
async function firstFailure(ctx: EngineContext, outcome: CompletionOutcome, now: Date): Promise<unknown> {
  let error: unknown = null;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await store(ctx, [outcome], now);
      return null;
    } catch (cause) {
      error = cause ?? new Error('the store failed without an error');
    }
  }
  return error;
}

/** A provider's message id as stored (cleaned); one too long to index is not kept. */
function storableProviderId(id: string | undefined): string | undefined {
  if (typeof id !== 'string' || id === '') return undefined;
  const clean = storableText(id, MAX_KEY_BYTES);
  return Buffer.byteLength(clean) <= MAX_KEY_BYTES ? clean : undefined;
}
