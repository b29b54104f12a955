import { describeError } from '../errors.js';
import type { EngineContext } from './context.js';
import type { SendCounts } from './outcomes.js';
import { prepareDispatches } from './prepare.js';
import { type SendOptions, sendScheduled } from './send.js';

export interface WorkOptions extends Omit<SendOptions, 'signal' | 'onBatch'> {
  /** Wait between polls when nothing is due, in ms. Default 1000. */
  readonly pollInterval?: number;
  /** Stops the loop; the batches in hand (sending, and claimed ahead) finish first. */
  readonly signal?: AbortSignal;
  /** Also run `prepareDispatches()` each round. Default true. */
  readonly prepare?: boolean;
  /** Stop gracefully on SIGTERM and SIGINT. Default true. */
  readonly handleSignals?: boolean;
  readonly onRound?: (totals: SendCounts) => void;
}

/**
 * The worker loop: prepare, claim and send until aborted; sleeps `pollInterval` when idle, or
 * less when the store can wake it (Postgres LISTEN/NOTIFY). Store outages are logged and waited out.
 */
export async function work(ctx: EngineContext, options: WorkOptions = {}): Promise<SendCounts> {
  const { clock, logger } = ctx.options;
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) stop.abort();
  const signals = options.handleSignals === false ? [] : (['SIGTERM', 'SIGINT'] as const);
  for (const s of signals) process.once(s, onAbort);
  const totals: SendCounts = { sent: 0, error: 0, failed: 0, skipped: 0 };
  const pollInterval = options.pollInterval ?? 1000;
  logger.info(`[sitemsg] worker ${ctx.options.workerId} started`);
  try {
    while (!stop.signal.aborted) {
      let busy = false;
      try {
        if (options.prepare !== false) await prepareDispatches(ctx);
        const counts = await sendScheduled(ctx, { ...options, signal: stop.signal });
        busy = counts.sent + counts.error + counts.failed + counts.skipped > 0;
        for (const key of Object.keys(totals) as (keyof SendCounts)[]) totals[key] += counts[key];
        options.onRound?.({ ...totals });
      } catch (error) {
        logger.error(
          `[sitemsg] worker round failed, retrying after the poll interval: ${describeError(error)}`,
        );
      }
      if (busy || stop.signal.aborted) continue;
      if (ctx.store.waitForWork) await ctx.store.waitForWork(pollInterval, stop.signal);
      else await clock.sleep(pollInterval, stop.signal);
    }
  } finally {
    for (const s of signals) process.removeListener(s, onAbort);
    options.signal?.removeEventListener('abort', onAbort);
    logger.info(`[sitemsg] worker ${ctx.options.workerId} stopped`, { ...totals });
  }
  return totals;
}
