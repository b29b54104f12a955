import { randomUUID } from 'node:crypto';
import type { NewDispatch } from '@sitemsg/core/plugin';
import { repairBatches, sweepBatchOrphans } from './batch.js';
import type { StoreContext } from './context.js';
import { type DispatchDoc, dueFor, type MessageDoc, UNHELD } from './documents.js';
import { reserveIds } from './migrations.js';

/**
 * Scheduling without transactions, in three steps that never leave a visible message without its
 * dispatches:
 *  1. stage: the dispatches are inserted carrying a stage token and no `due`: nothing sees them;
 *  2. commit: one single-document write on the message (its insert, or an update) records the
 *     token in `message.staging` — from here the dispatches belong to the message;
 *  3. finish: the staged dispatches become claimable, then `message.staging` is cleared.
 * A crash before 2 leaves invisible orphans (swept by cleanup); a crash between 2 and 3 is rolled
 * forward by `repairStaging`, which any process may run at any time because step 3 is idempotent.
 */

/** Staged dispatches this old whose stage was never committed are garbage. */
const ORPHAN_GRACE_MS = 60 * 60 * 1000;

/** New dispatch documents for `message`, ids from `firstId`; staged when `token` is given. */
export function dispatchDocs(
  message: Pick<MessageDoc, '_id' | 'priority' | 'type' | 'sendAt' | 'groupMark'>,
  firstId: number,
  dispatches: readonly NewDispatch[],
  now: Date,
  token: string | null,
): DispatchDoc[] {
  return dispatches.map((d, i) => ({
    _id: firstId + i,
    messageId: message._id,
    messenger: d.messenger,
    address: d.address,
    userId: d.userId,
    status: 'pending',
    readStatus: 'unread',
    attempts: 0,
    lastError: null,
    nextAttemptAt: null,
    leaseOwner: null,
    leaseExpiresAt: null,
    createdAt: now,
    dispatchedAt: null,
    readAt: null,
    priority: message.priority,
    type: message.type,
    grouped: message.groupMark !== null,
    ...(token === null ? { due: dueFor(message) } : { staged: token, stagedAt: new Date() }),
  }));
}

/** Step 1: inserts the dispatches staged under a fresh token (ids reserved here unless given). */
export async function stage(
  ctx: StoreContext,
  message: Pick<MessageDoc, '_id' | 'priority' | 'type' | 'sendAt' | 'groupMark'>,
  dispatches: readonly NewDispatch[],
  now: Date,
  firstId?: number,
): Promise<{ token: string; docs: DispatchDoc[] }> {
  const token = randomUUID();
  const first = firstId ?? (await reserveIds(ctx.c, dispatches.length));
  const docs = dispatchDocs(message, first, dispatches, now, token);
  await ctx.c.dispatches.insertMany(docs);
  return { token, docs };
}

/** Undoes step 1 when the commit did not happen (best effort: cleanup sweeps what is left). */
export async function unstage(ctx: StoreContext, token: string): Promise<void> {
  await ctx.c.dispatches.deleteMany({ staged: token }).catch(() => undefined);
}

/** Step 3: makes the committed dispatches claimable and clears the message's marker. Idempotent. */
export async function finish(
  ctx: StoreContext,
  message: Pick<MessageDoc, '_id' | 'sendAt'>,
  token: string,
): Promise<void> {
  await ctx.c.dispatches.updateMany(
    { messageId: message._id, staged: token },
    { $set: { due: dueFor(message) }, $unset: { staged: '', stagedAt: '' } },
  );
  await ctx.c.messages.updateOne({ _id: message._id, staging: token }, { $unset: { staging: '' } });
}

/** Step 3 after a successful commit: a failure here is repaired later, the schedule itself stands. */
export async function finishOrDefer(
  ctx: StoreContext,
  message: Pick<MessageDoc, '_id' | 'sendAt'>,
  token: string,
): Promise<void> {
  try {
    await finish(ctx, message, token);
  } catch {
    ctx.needsRepair = true;
  }
}

/**
 * Rolls forward every committed stage still marked on a message (a crash between steps 2 and 3),
 * then settles `scheduleMany` calls whose process died (batch.ts). A stage an undecided call holds
 * is that call's to finish or undo, never rolled forward here.
 */
export async function repairStaging(ctx: StoreContext): Promise<number> {
  const stuck = await ctx.c.messages
    .find({ staging: { $exists: true }, ...UNHELD }, { projection: { _id: 1, sendAt: 1, staging: 1 } })
    .limit(500)
    .toArray();
  for (const message of stuck) if (message.staging) await finish(ctx, message, message.staging);
  const batches = await repairBatches(ctx);
  ctx.needsRepair = false;
  return stuck.length + batches;
}

/**
 * Deletes staged dispatches whose stage was never committed (a crash before step 2), after
 * rolling back what a `scheduleMany` call left held without its batch record.
 */
export async function sweepOrphans(ctx: StoreContext, graceMs: number = ORPHAN_GRACE_MS): Promise<number> {
  await sweepBatchOrphans(ctx);
  const old = await ctx.c.dispatches
    .find(
      { staged: { $exists: true }, stagedAt: { $lte: new Date(Date.now() - graceMs) } },
      { projection: { messageId: 1, staged: 1 } },
    )
    .limit(5000)
    .toArray();
  if (old.length === 0) return 0;
  const messageIds = [...new Set(old.map((d) => d.messageId))];
  const messages = await ctx.c.messages
    .find({ _id: { $in: messageIds } }, { projection: { staging: 1 } })
    .toArray();
  const committed = new Set(messages.flatMap((m) => (m.staging ? [m.staging] : [])));
  const unclaimed = [
    ...new Set(old.flatMap((d) => (d.staged && !committed.has(d.staged) ? [d.staged] : []))),
  ];
  if (unclaimed.length === 0) return 0;
  // A scheduleMany call's stage is its batch id: its record, not this sweep, decides its fate.
  const batches = await ctx.c.batches.find({ _id: { $in: unclaimed } }, { projection: { _id: 1 } }).toArray();
  const live = new Set(batches.map((b) => b._id));
  const orphans = unclaimed.filter((token) => !live.has(token));
  if (orphans.length === 0) return 0;
  const { deletedCount } = await ctx.c.dispatches.deleteMany({ staged: { $in: orphans } });
  return deletedCount;
}
