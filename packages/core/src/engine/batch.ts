// One claimed batch through its messengers: sorted by messenger, suppressed addresses skipped,
// rendered, sent; the outcomes are written by `write()` (outcomes.ts) when the lane is ready.
import {
  DeliveryError,
  describeError,
  MessengerError,
  MessengerWarmupError,
  UnknownMessageTypeError,
  UnknownMessengerError,
} from '../errors.js';
import type { MessageTypeClass } from '../message-type.js';
import type { DispatchResult, Messenger, OutgoingDispatch } from '../messenger.js';
import type { ClaimedDispatch, DispatchRecord, MessageRecord } from '../types.js';
import type { EngineContext } from './context.js';
import { complete, type Verdict, type WrittenBatch } from './outcomes.js';
import { compileAll } from './render.js';
import { suppressedAmong } from './suppression.js';

interface Held {
  readonly dispatch: DispatchRecord;
  readonly message: MessageRecord;
  readonly type: MessageTypeClass;
  /** The claim's answer on suppression, when the store gave one. */
  readonly suppressed?: boolean;
}

/** A claimed batch whose leases are renewed from the moment it is claimed until its outcomes are written. */
export interface ClaimedBatch {
  readonly claimed: readonly ClaimedDispatch[];
  readonly renewal: { stop(): void };
}

/** A batch that went through its messengers; `write()` records its outcomes, then emits events. */
export interface SentBatch {
  write(): Promise<WrittenBatch>;
}

/** Sends a claimed batch messenger by messenger; `write()` then records every outcome in one store call. */
export async function sendBatch(ctx: EngineContext, { claimed, renewal }: ClaimedBatch): Promise<SentBatch> {
  try {
    const { verdicts, byMessenger } = partition(ctx, claimed);
    const suppressed = await findSuppressedHeld(ctx, [...byMessenger.values()].flat());
    const groups = [...byMessenger].map(([messenger, held]) =>
      sendThrough(
        ctx,
        messenger,
        suppressed.size === 0 ? held : held.filter((h) => !suppressed.has(h.dispatch.id)),
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
  for (const { dispatch, message, suppressed } of claimed) {
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
      const error = new DeliveryError(
        'retry limit reached: the workers holding it stopped before recording an outcome',
        { retryable: false },
      );
      verdicts.push({ dispatchId: dispatch.id, error, permanent: true });
    } else if (messenger && type) {
      const list = byMessenger.get(messenger) ?? [];
      list.push(
        suppressed === undefined ? { dispatch, message, type } : { dispatch, message, type, suppressed },
      );
      byMessenger.set(messenger, list);
    }
  }
  return { verdicts, byMessenger };
}

/** One messenger's part of a batch: compiled, checked, warmed up, sent, cooled down; a verdict each. */
export async function sendThrough(
  ctx: EngineContext,
  messenger: Messenger,
  held: readonly Held[],
): Promise<Verdict[]> {
  if (held.length === 0) return [];
  const compiled = await compileAll(ctx, held);
  const verdicts: Verdict[] = compiled.failures.map((f) => ({ ...f, permanent: false }));
  const outgoing = messenger.checksCompiled
    ? refuseUnfit(messenger, compiled.outgoing, verdicts)
    : compiled.outgoing;
  if (outgoing.length === 0) return verdicts;
  try {
    await messenger.warmUp();
  } catch (cause) {
    const error = new MessengerWarmupError(messenger.alias, describeError(cause), { cause });
    ctx.options.logger.error(error.message, { messenger: messenger.alias, dispatches: outgoing.length });
    return [...verdicts, ...outgoing.map((o) => ({ dispatchId: o.dispatch.id, error, permanent: false }))];
  }
  try {
    verdicts.push(...toVerdicts(messenger.alias, outgoing, await messenger.send(outgoing)));
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

/** What the channel cannot carry fails now, permanently, with the messenger's reason; the rest goes out. */
function refuseUnfit(
  messenger: Messenger,
  outgoing: readonly OutgoingDispatch[],
  verdicts: Verdict[],
): OutgoingDispatch[] {
  const fit: OutgoingDispatch[] = [];
  for (const o of outgoing) {
    const reason = messenger.checkCompiled(o.compiled);
    if (reason === null) fit.push(o);
    else {
      const error = DeliveryError.permanent(`[sitemsg] [${messenger.alias}] ${reason}`);
      verdicts.push({ dispatchId: o.dispatch.id, error, permanent: true });
    }
  }
  return fit;
}

function toVerdicts(
  messenger: string,
  outgoing: readonly OutgoingDispatch[],
  results: readonly DispatchResult[],
): Verdict[] {
  // Messengers usually answer in the batch's order: then no lookup table is needed.
  const inOrder =
    results.length === outgoing.length && results.every((r, i) => r.dispatchId === outgoing[i]!.dispatch.id);
  const byId = inOrder ? null : new Map(results.map((r) => [r.dispatchId, r.result]));
  return outgoing.map(({ dispatch }, i) => {
    const result = byId === null ? results[i]!.result : byId.get(dispatch.id);
    if (!result) {
      return {
        dispatchId: dispatch.id,
        error: new MessengerError(messenger, 'send() returned no outcome for this dispatch'),
        permanent: false,
      };
    }
    if (result.ok) return { dispatchId: dispatch.id, sent: result.value };
    return { dispatchId: dispatch.id, error: result.error, permanent: !result.error.retryable };
  });
}

/** Attempts beyond the limit only happen when workers died holding the dispatch: stop the crash loop. */
function overLimit(dispatch: DispatchRecord, type: MessageTypeClass | undefined): boolean {
  const limit = type?.sendRetryLimit ?? null;
  return limit !== null && dispatch.attempts > Math.max(1, limit);
}

/** The held dispatches whose address is suppressed: the claim's answer where the store gave one, else a lookup. */
async function findSuppressedHeld(ctx: EngineContext, held: readonly Held[]): Promise<Set<string>> {
  const ids = new Set<string>();
  const byType = new Map<string, DispatchRecord[]>();
  for (const h of held) {
    if (h.suppressed !== undefined) {
      if (h.suppressed) ids.add(h.dispatch.id);
      continue;
    }
    const list = byType.get(h.message.type) ?? [];
    list.push(h.dispatch);
    byType.set(h.message.type, list);
  }
  for (const [type, dispatches] of byType) {
    for (const dispatch of await suppressedAmong(ctx, type, dispatches)) ids.add(dispatch.id);
  }
  return ids;
}
