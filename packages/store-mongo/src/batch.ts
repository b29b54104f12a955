import { randomUUID } from 'node:crypto';
import { describeError, StoreError } from '@sitemsg/core/plugin';
import type { AnyBulkWriteOperation } from 'mongodb';
import type { StoreContext } from './context.js';
import { type DispatchDoc, dueFor, type MessageDoc } from './documents.js';

/**
 * The batch record of one `scheduleMany` call without transactions: its whole life, from begin to
 * commit or roll-back, and the repair of calls whose process died in between.
 *
 *  1. begin: a record `{ state: 'writing' }` is inserted;
 *  2. write: every message is written as `schedule` would, except that the messages the call
 *     creates carry `batch` + `batchNew` (invisible to reads), groups it merges into carry `batch`
 *     + `batchUndo` (their previous context), and every new dispatch is staged under the batch id
 *     (claimable by nobody). Held messages are not joined, prepared or rolled forward by others;
 *  3. decide: ONE single-document write turns the record `writing` → `committed` (or `aborted`).
 *     It is a compare-and-set, so a call and a repairer that gave up on it never both win;
 *  4. finish (committed): the staged dispatches become claimable, the markers go, the record
 *     goes last. Roll-back (aborted): the staged dispatches and created messages are deleted,
 *     merged groups get their context back, the record goes last. Both are idempotent.
 * A crash leaves a record: `committed` ones are rolled forward and `aborted` ones rolled back by
 * the next repair pass, `writing` ones rolled back once older than `BATCH_GRACE_MS`; markers a
 * call wrote after being rolled back under it are swept by cleanup (`sweepBatchOrphans`).
 */

/** A call still `writing` after this long is taken for dead: the repair pass rolls it back. */
export const BATCH_GRACE_MS: number = 5 * 60 * 1000;
/** Records settled per repair pass (a pass runs every 30 s of claim time). */
const REPAIR_LIMIT = 100;

type Decision = 'committed' | 'aborted';

/** Step 1: the record every marker of the call points to; inserted before any of them. */
export async function beginBatch(ctx: StoreContext): Promise<string> {
  const id = randomUUID();
  await ctx.c.batches.insertOne({ _id: id, state: 'writing', startedAt: new Date() });
  return id;
}

/**
 * Step 3: `writing` → `want`, or the decision someone else made first. A missing record was
 * settled and removed: by a roll-back (a finish removes it only after the markers are gone).
 */
async function decide(ctx: StoreContext, id: string, want: Decision): Promise<Decision> {
  const { matchedCount } = await ctx.c.batches.updateOne(
    { _id: id, state: 'writing' },
    { $set: { state: want } },
  );
  if (matchedCount === 1) return want;
  const doc = await ctx.c.batches.findOne({ _id: id });
  return doc?.state === 'committed' ? 'committed' : 'aborted';
}

/**
 * Commits the call and makes its dispatches claimable. Throws (having rolled back) when a repair
 * pass gave up on the call first, or when the commit could not be confirmed either way.
 */
export async function commitBatch(ctx: StoreContext, id: string, count: number): Promise<void> {
  let decision: Decision;
  try {
    decision = await decide(ctx, id, 'committed');
  } catch (first) {
    // The answer was lost, not necessarily the write: asking again tells which (and commits if not).
    try {
      decision = await decide(ctx, id, 'committed');
    } catch {
      ctx.needsRepair = true;
      throw new StoreError(
        `[sitemsg] [mongo] the commit of ${count} messages could not be confirmed (${describeError(first)}): they are either all written or none, and a worker's repair pass settles which. Retry only with idempotency keys.`,
        { cause: first },
      );
    }
  }
  if (decision === 'aborted') {
    await settle(ctx, id, 'aborted');
    throw new StoreError(
      `[sitemsg] [mongo] none of the ${count} messages was written: the call ran longer than ${BATCH_GRACE_MS / 60_000} minutes and another process rolled it back. Retry.`,
    );
  }
  // Committed: the messages stand; a failure to finish is rolled forward by the repair pass.
  await settle(ctx, id, 'committed');
}

/** After a failed write: aborts and rolls back; if the database is gone, the repair pass will. */
export async function abandonBatch(ctx: StoreContext, id: string): Promise<void> {
  try {
    const decision = await decide(ctx, id, 'aborted');
    if (decision === 'aborted') await rollBack(ctx, id);
  } catch {
    ctx.needsRepair = true;
  }
}

async function settle(ctx: StoreContext, id: string, decision: Decision): Promise<void> {
  try {
    await (decision === 'committed' ? finish(ctx, id) : rollBack(ctx, id));
  } catch {
    ctx.needsRepair = true;
  }
}

/** Step 4, committed: dispatches claimable (each at its message's send-at), markers off, record gone. */
async function finish(ctx: StoreContext, id: string): Promise<void> {
  const held = await ctx.c.messages.find({ batch: id }, { projection: { _id: 1, sendAt: 1 } }).toArray();
  if (held.length > 0) {
    const claimable: AnyBulkWriteOperation<DispatchDoc>[] = held.map((m) => ({
      updateMany: {
        filter: { messageId: m._id, staged: id },
        update: { $set: { due: dueFor(m) }, $unset: { staged: '', stagedAt: '' } },
      },
    }));
    await ctx.c.dispatches.bulkWrite(claimable, { ordered: false });
    await ctx.c.messages.updateMany(
      { batch: id },
      { $unset: { batch: '', batchNew: '', batchUndo: '', staging: '' } },
    );
  }
  await ctx.c.batches.deleteOne({ _id: id });
}

/**
 * Step 4, aborted: nothing of the call was ever claimable, so deleting is enough. A group it
 * merged into gets its previous context back; a claim of one of that group's older dispatches
 * during the call will have read the merged context (see the README).
 */
async function rollBack(ctx: StoreContext, id: string): Promise<void> {
  await ctx.c.dispatches.deleteMany({ staged: id });
  await ctx.c.messages.deleteMany({ batch: id, batchNew: true });
  const groups = await ctx.c.messages.find({ batch: id }, { projection: { _id: 1, batchUndo: 1 } }).toArray();
  const restore: AnyBulkWriteOperation<MessageDoc>[] = groups.flatMap((g) =>
    g.batchUndo === undefined
      ? []
      : [
          {
            updateOne: {
              filter: { _id: g._id, batch: id },
              update: {
                $set: { context: g.batchUndo },
                $unset: { batch: '', batchUndo: '', staging: '' },
                $inc: { version: 1 },
              },
            },
          },
        ],
  );
  if (restore.length > 0) await ctx.c.messages.bulkWrite(restore, { ordered: false });
  await ctx.c.batches.deleteOne({ _id: id });
}

/**
 * Settles calls whose process died: committed ones are finished, aborted ones and those still
 * `writing` after `graceMs` rolled back. One look-up when there is nothing to do. Returns the
 * batches settled.
 */
export async function repairBatches(ctx: StoreContext, graceMs: number = BATCH_GRACE_MS): Promise<number> {
  const stale = new Date(Date.now() - graceMs);
  const records = await ctx.c.batches
    .find({ $or: [{ state: { $ne: 'writing' } }, { startedAt: { $lte: stale } }] })
    .limit(REPAIR_LIMIT)
    .toArray();
  for (const record of records) {
    const decision = record.state === 'writing' ? await decide(ctx, record._id, 'aborted') : record.state;
    await (decision === 'committed' ? finish(ctx, record._id) : rollBack(ctx, record._id));
  }
  return records.length;
}

/**
 * Rolls back markers whose record is gone: a call that kept writing after a repair pass rolled it
 * back, and died before its own commit attempt would have noticed. Rare garbage, so it is swept
 * with the orphan dispatches by `cleanup`, not on the claim path. Returns the batches swept.
 */
export async function sweepBatchOrphans(ctx: StoreContext): Promise<number> {
  // Markers first, records second: a record missing after that was settled, its markers included.
  const marked = (await ctx.c.messages.distinct('batch', { batch: { $exists: true } })) as string[];
  if (marked.length === 0) return 0;
  const records = await ctx.c.batches.find({ _id: { $in: marked } }, { projection: { _id: 1 } }).toArray();
  const alive = new Set(records.map((b) => b._id));
  const orphaned = marked.filter((id) => !alive.has(id)).slice(0, REPAIR_LIMIT);
  for (const id of orphaned) await rollBack(ctx, id);
  return orphaned.length;
}
