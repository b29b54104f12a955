// A claimed batch's lease, from claim to release: claimed under the worker's id, renewed while
// the batch sends (so a short lease never expires under a slow provider), and let go — renewal
// stopped, so it returns when the lease expires — when the batch will not be sent.
import { describeError } from '../errors.js';
import type { ClaimRequest } from '../store.js';
import type { ClaimedDispatch } from '../types.js';
import type { ClaimedBatch } from './batch.js';
import { type EngineContext, nowDate } from './context.js';

/** What a send run claims: the batch size and filters, the same for every batch of the run. */
export type ClaimFilters = Pick<ClaimRequest, 'limit' | 'priority' | 'messengers' | 'messageTypes'>;

/** Claims the next batch under this worker's id and starts renewing its leases. */
export async function claimBatch(ctx: EngineContext, filters: ClaimFilters): Promise<ClaimedBatch> {
  const { workerId, leaseMs } = ctx.options;
  const { media } = ctx.registry;
  const claimed = await ctx.store.claim({
    ...filters,
    owner: workerId,
    now: nowDate(ctx),
    leaseMs,
    ...(media && { media }),
  });
  return { claimed, renewal: startLeaseRenewal(ctx, claimed) };
}

/** Lets a claimed batch go unsent: its leases are no longer renewed, so it returns when they expire. */
export function release(claiming: Promise<ClaimedBatch> | null): void {
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
