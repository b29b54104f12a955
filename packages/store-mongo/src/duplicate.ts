import { type ScheduleResult, StoreError } from '@sitemsg/core/plugin';
import type { ClientSession } from 'mongodb';
import type { StoreContext } from './context.js';
import { toMessageRecord } from './documents.js';

/**
 * The message that already holds an idempotency key, as a `duplicate` result. A message that an
 * undecided `scheduleMany` call created (another call's: `batch` is not `ownBatch`) may still be
 * rolled back, so answering "duplicate" could lose this message: the caller is told to retry.
 */
export async function findDuplicate(
  ctx: StoreContext,
  key: string,
  ownBatch: string | null = null,
  session?: ClientSession,
): Promise<ScheduleResult | null> {
  const doc = await ctx.c.messages.findOne({ idempotencyKey: key }, { session });
  if (!doc) return null;
  if (doc.batchNew && doc.batch !== ownBatch) {
    throw new StoreError(
      `[sitemsg] [mongo] idempotency key "${key}" belongs to a message that another scheduleMany call is still writing (it may yet roll back): retry in a moment.`,
    );
  }
  return { message: toMessageRecord(doc), dispatches: [], outcome: 'duplicate' };
}
