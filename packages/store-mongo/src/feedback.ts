import { type FeedbackRecord, ValidationError } from '@sitemsg/core/plugin';
import type { Filter } from 'mongodb';
import type { StoreContext } from './context.js';
import { type FeedbackDoc, parseId, toFeedbackDoc, toFeedbackRecord } from './documents.js';
import { isDuplicateKey } from './errors.js';

// Delivery feedback lives in its own collection, keyed by the dispatch id. There is no
// transaction between it and the dispatches, so its life is ordered instead: cleanup deletes the
// dispatches first and their feedback after, and a crash in between (or feedback written for a
// dispatch cleanup removed meanwhile) leaves only orphan feedback, which `sweepOrphanFeedback`
// removes on every cleanup. Nothing ever shows a dispatch that lost its feedback.

/** How many feedback documents one step of the orphan sweep reads. */
const SWEEP_PAGE = 5000;

/**
 * Keeps one piece of feedback; false when the dispatch already has feedback with this event id.
 * The unique partial index decides, so two workers recording one redelivered event at once
 * write it once. A dispatch that does not exist is refused (`UNKNOWN_DISPATCH`), as every store
 * does; one that cleanup removes between that look-up and the insert leaves orphan feedback,
 * which the next cleanup sweeps.
 */
export async function addFeedback(ctx: StoreContext, feedback: FeedbackRecord): Promise<boolean> {
  const id = parseId(feedback.dispatchId);
  const exists = id !== null && (await ctx.c.dispatches.findOne({ _id: id }, { projection: { _id: 1 } }));
  if (!exists) {
    throw new ValidationError(`[sitemsg] [mongo] Dispatch ${feedback.dispatchId} does not exist.`, {
      code: 'UNKNOWN_DISPATCH',
    });
  }
  try {
    await ctx.c.feedback.insertOne(toFeedbackDoc(feedback));
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}

/** A dispatch's feedback, oldest first by the provider's time (insertion order breaks ties). */
export async function listFeedback(ctx: StoreContext, dispatchId: string): Promise<FeedbackRecord[]> {
  const docs = await ctx.c.feedback
    .find({ dispatchId }, { sort: { at: 1, _id: 1 }, projection: { _id: 0 } })
    .toArray();
  return docs.map(toFeedbackRecord);
}

/** The feedback of dispatches cleanup has just deleted (never before: see the file's opening). */
export async function deleteFeedbackOf(ctx: StoreContext, dispatchIds: readonly number[]): Promise<void> {
  if (dispatchIds.length === 0) return;
  await ctx.c.feedback.deleteMany({ dispatchId: { $in: dispatchIds.map(String) } });
}

/**
 * Deletes feedback whose dispatch no longer exists: left by a cleanup that died between its two
 * deletes, or written for a dispatch cleanup removed meanwhile. Walks the dispatch ids that have
 * feedback in index order, a page at a time, and looks each page up among the dispatches by `_id`.
 * Dispatch ids are never reused, so an id found missing stays missing. Returns how many it deleted.
 */
export async function sweepOrphanFeedback(ctx: StoreContext, pageSize: number = SWEEP_PAGE): Promise<number> {
  let deleted = 0;
  let after: string | null = null;
  for (;;) {
    const filter: Filter<FeedbackDoc> = after === null ? {} : { dispatchId: { $gt: after } };
    const page: { dispatchId: string }[] = await ctx.c.feedback
      .find(filter, {
        sort: { dispatchId: 1 },
        projection: { _id: 0, dispatchId: 1 },
        limit: pageSize,
      })
      .toArray();
    if (page.length === 0) break;
    const ids: string[] = [...new Set(page.map((f) => f.dispatchId))];
    // The last id of a full page may have more feedback past it: the next page starts after it,
    // and this page's decision for it (keep or delete all of it) covers those too.
    after = ids[ids.length - 1]!;
    const numeric = ids.flatMap((id) => {
      const n = parseId(id);
      return n === null ? [] : [n];
    });
    const existing =
      numeric.length === 0
        ? []
        : await ctx.c.dispatches.find({ _id: { $in: numeric } }, { projection: { _id: 1 } }).toArray();
    const alive = new Set(existing.map((d) => String(d._id)));
    const orphans = ids.filter((id) => !alive.has(id));
    if (orphans.length > 0) {
      const result = await ctx.c.feedback.deleteMany({ dispatchId: { $in: orphans } });
      deleted += result.deletedCount;
    }
    if (page.length < pageSize) break;
  }
  return deleted;
}
