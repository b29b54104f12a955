// The send loop of a messenger whose provider takes one message per request (SMS, push, chat):
// bounded concurrency within the batch, and once the provider itself refuses (credentials, a
// rate limit, an unreachable API) the rest of the batch is not tried but answered with that error.
import type { DeliveryError } from './errors.js';
import type { DispatchResult, OutgoingDispatch, SentReceipt } from './messenger.js';
import { err, ok, type Result } from './result.js';

/** Why one delivery failed, and whether the batch must stop (a provider-level failure). */
export interface EachFailure {
  readonly error: DeliveryError;
  /** True when the failure is the provider's, not this address's: the rest is not tried. */
  readonly stopBatch: boolean;
}

export interface SendEachOptions<R extends SentReceipt> {
  /** Requests in flight at once. */
  readonly concurrency: number;
  /** Delivers one dispatch. Expected failures are values; a throw is a bug of the messenger. */
  deliver(item: OutgoingDispatch): Promise<Result<R, EachFailure>>;
}

/** Sends every dispatch of a batch through `deliver`; one result each, in completion order. */
export async function sendEach<R extends SentReceipt>(
  batch: readonly OutgoingDispatch[],
  options: SendEachOptions<R>,
): Promise<DispatchResult[]> {
  const results: DispatchResult[] = [];
  const queue = [...batch];
  let stopped: DeliveryError | null = null;
  const lane = async (): Promise<void> => {
    for (let item = queue.shift(); item; item = queue.shift()) {
      if (stopped) {
        results.push({ dispatchId: item.dispatch.id, result: err(stopped) });
        continue;
      }
      const outcome = await options.deliver(item);
      results.push({
        dispatchId: item.dispatch.id,
        result: outcome.ok ? ok(outcome.value) : err(outcome.error.error),
      });
      if (!outcome.ok && outcome.error.stopBatch) stopped ??= outcome.error.error;
    }
  };
  const lanes = Math.max(1, Math.min(options.concurrency, batch.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  return results;
}
