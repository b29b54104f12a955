import type {
  CleanupRequest,
  CleanupResult,
  DispatchCounts,
  DispatchErrorRecord,
  DispatchRecord,
  DispatchStatus,
  MessageRecord,
} from '@sitemsg/core/plugin';
import type { Filter } from 'mongodb';
import type { StoreContext } from './context.js';
import {
  COMMITTED,
  DISPATCH_PROJECTION,
  type DispatchDoc,
  parseId,
  toDispatchRecord,
  toErrorRecords,
  toMessageRecord,
  UNHELD,
  VISIBLE,
} from './documents.js';
import { deleteFeedbackOf, sweepOrphanFeedback } from './feedback.js';
import { sweepOrphans } from './staging.js';

/** Cleanup deletes in pages so one call never holds a huge id list in memory. */
const CLEANUP_PAGE = 5000;

export async function getMessage(ctx: StoreContext, id: string): Promise<MessageRecord | null> {
  const n = parseId(id);
  const doc = n === null ? null : await ctx.c.messages.findOne({ _id: n, ...VISIBLE });
  return doc ? toMessageRecord(doc) : null;
}

export async function getDispatch(ctx: StoreContext, id: string): Promise<DispatchRecord | null> {
  const n = parseId(id);
  if (n === null) return null;
  const doc = await ctx.c.dispatches.findOne({ _id: n, ...COMMITTED }, { projection: DISPATCH_PROJECTION });
  return doc ? toDispatchRecord(doc) : null;
}

/**
 * The dispatch sent through `messenger` whose outcome carried this provider id: one look-up in the
 * partial `sitemsg_provider_id` index. Should a provider reuse an id, the newest dispatch wins.
 */
export async function findDispatchByProviderId(
  ctx: StoreContext,
  messenger: string,
  providerMessageId: string,
): Promise<DispatchRecord | null> {
  const doc = await ctx.c.dispatches.findOne(
    { messenger, providerMessageId },
    { sort: { _id: -1 }, projection: DISPATCH_PROJECTION },
  );
  return doc ? toDispatchRecord(doc) : null;
}

export async function listDispatches(
  ctx: StoreContext,
  filter: { messageId?: string; status?: DispatchStatus },
): Promise<DispatchRecord[]> {
  const query: Filter<DispatchDoc> = { ...COMMITTED };
  if (filter.messageId !== undefined) {
    const n = parseId(filter.messageId);
    if (n === null) return [];
    query.messageId = n;
  }
  if (filter.status !== undefined) query.status = filter.status;
  const docs = await ctx.c.dispatches
    .find(query, { sort: { _id: 1 }, projection: DISPATCH_PROJECTION })
    .toArray();
  return docs.map(toDispatchRecord);
}

export async function countDispatches(ctx: StoreContext): Promise<DispatchCounts> {
  const counts: DispatchCounts = { pending: 0, processing: 0, sent: 0, error: 0, failed: 0 };
  const rows = await ctx.c.dispatches
    .aggregate<{ _id: DispatchStatus; n: number }>([
      { $match: COMMITTED },
      { $group: { _id: '$status', n: { $sum: 1 } } },
    ])
    .toArray();
  for (const row of rows) if (row._id in counts) counts[row._id] = row.n;
  return counts;
}

export async function listDispatchErrors(
  ctx: StoreContext,
  dispatchId: string,
): Promise<DispatchErrorRecord[]> {
  const n = parseId(dispatchId);
  if (n === null) return [];
  const doc = await ctx.c.dispatches.findOne({ _id: n, ...COMMITTED }, { projection: { errors: 1 } });
  return doc ? toErrorRecords(doc) : [];
}

export async function markRead(ctx: StoreContext, dispatchId: string, now: Date): Promise<boolean> {
  const n = parseId(dispatchId);
  if (n === null) return false;
  const { modifiedCount } = await ctx.c.dispatches.updateOne(
    { _id: n, readStatus: 'unread', ...COMMITTED },
    { $set: { readStatus: 'read', readAt: now } },
  );
  return modifiedCount === 1;
}

export async function listPostponedMessages(ctx: StoreContext, limit: number): Promise<MessageRecord[]> {
  const docs = await ctx.c.messages
    .find({ dispatchesReady: false, ...UNHELD }, { sort: { _id: 1 }, limit: Math.max(1, limit) })
    .toArray();
  return docs.map(toMessageRecord);
}

/**
 * Deletes sent dispatches (created before `before`) page by page, each page's feedback right
 * after its dispatches (a crash in between leaves orphan feedback, never a dispatch without its
 * feedback), then the messages they left empty; then sweeps what earlier crashes left.
 */
export async function cleanup(ctx: StoreContext, request: CleanupRequest): Promise<CleanupResult> {
  const filter: Filter<DispatchDoc> = {
    status: 'sent',
    ...(request.before !== null && { createdAt: { $lt: request.before } }),
  };
  const touched = new Set<number>();
  let dispatches = 0;
  for (;;) {
    const page = await ctx.c.dispatches
      .find(filter, { projection: { _id: 1, messageId: 1 }, limit: CLEANUP_PAGE })
      .toArray();
    if (page.length === 0) break;
    const { deletedCount } = await ctx.c.dispatches.deleteMany({
      ...filter,
      _id: { $in: page.map((d) => d._id) },
    });
    dispatches += deletedCount;
    // Sent is final, so every dispatch of the page is gone now (by this call or a concurrent one).
    await deleteFeedbackOf(
      ctx,
      page.map((d) => d._id),
    );
    for (const d of page) touched.add(d.messageId);
    if (page.length < CLEANUP_PAGE) break;
  }
  const messages = request.dispatchesOnly ? 0 : await deleteEmptyMessages(ctx, [...touched]);
  await sweepOrphans(ctx);
  await sweepOrphanFeedback(ctx);
  return { dispatches, messages };
}

async function deleteEmptyMessages(ctx: StoreContext, ids: number[]): Promise<number> {
  let deleted = 0;
  for (let i = 0; i < ids.length; i += CLEANUP_PAGE) {
    const chunk = ids.slice(i, i + CLEANUP_PAGE);
    const remaining = await ctx.c.dispatches
      .aggregate<{ _id: number }>([
        { $match: { messageId: { $in: chunk } } },
        { $group: { _id: '$messageId' } },
      ])
      .toArray();
    const keep = new Set(remaining.map((r) => r._id));
    const empty = chunk.filter((id) => !keep.has(id));
    if (empty.length === 0) continue;
    const result = await ctx.c.messages.deleteMany({
      _id: { $in: empty },
      staging: { $exists: false },
      ...UNHELD,
    });
    deleted += result.deletedCount;
  }
  return deleted;
}
