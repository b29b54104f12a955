import {
  type JsonObject,
  type ScheduleRequest,
  type ScheduleResult,
  scheduleManyError,
} from '@sitemsg/core/plugin';
import type { ClientSession } from 'mongodb';
import { abandonBatch, beginBatch, commitBatch } from './batch.js';
import type { StoreContext } from './context.js';
import { COMMITTED, newMessageDoc, toDispatchRecord, toMessageRecord, UNHELD } from './documents.js';
import { findDuplicate } from './duplicate.js';
import { isDuplicateKey, isTransactionUnsupported } from './errors.js';
import { reserveIds } from './migrations.js';
import { dispatchDocs, finishOrDefer } from './staging.js';

/** Concurrent writers into one group retry this often before the message is created on its own. */
const GROUP_ATTEMPTS = 5;
/** Runs of the transaction when a concurrent writer took an idempotency key after our look-up. */
const TRANSACTION_RUNS = 3;

/**
 * How one call writes: inside a session transaction (dispatches claimable at once, the
 * transaction hides them), or held under a batch id (dispatches staged, messages marked).
 */
type Mode =
  | { readonly session: ClientSession; readonly batch: null }
  | { readonly session: undefined; readonly batch: string };

/**
 * Several messages as one atomic write: in one transaction where the server has them, else held
 * under a batch record until one single-document commit (batch.ts). Results in request order;
 * a message that cannot be written undoes the others and is named in the error.
 */
export async function scheduleMany(
  ctx: StoreContext,
  requests: readonly ScheduleRequest[],
): Promise<ScheduleResult[]> {
  if (requests.length === 0) return [];
  if (ctx.transactions) {
    try {
      return await inTransaction(ctx, requests);
    } catch (error) {
      if (!isTransactionUnsupported(error)) throw error;
      ctx.transactions = false;
    }
  }
  return held(ctx, requests);
}

async function inTransaction(
  ctx: StoreContext,
  requests: readonly ScheduleRequest[],
): Promise<ScheduleResult[]> {
  for (let run = 1; ; run++) {
    let failed = -1;
    // A session of its own, not maybeTransaction: that one would run the work without a
    // transaction if another call meanwhile found transactions refused.
    const session = ctx.client.startSession();
    try {
      return await session.withTransaction(async () => {
        const results: ScheduleResult[] = [];
        for (const [index, request] of requests.entries()) {
          failed = index;
          results.push(await writeOne(ctx, request, { session, batch: null }));
        }
        failed = -1;
        return results;
      });
    } catch (error) {
      // The caller falls back to held writes: nothing of an aborted transaction remains.
      if (isTransactionUnsupported(error)) throw error;
      // A concurrent schedule took an idempotency key after our look-up, and the server aborted
      // the whole transaction: the next run finds that message and answers `duplicate`.
      if (isDuplicateKey(error) && run < TRANSACTION_RUNS) continue;
      if (failed < 0) throw error;
      throw scheduleManyError('mongo', failed, requests, error);
    } finally {
      await session.endSession();
    }
  }
}

async function held(ctx: StoreContext, requests: readonly ScheduleRequest[]): Promise<ScheduleResult[]> {
  const batch = await beginBatch(ctx);
  const results: ScheduleResult[] = [];
  for (const [index, request] of requests.entries()) {
    try {
      results.push(await writeOne(ctx, request, { session: undefined, batch }));
    } catch (error) {
      await abandonBatch(ctx, batch);
      throw scheduleManyError('mongo', index, requests, error);
    }
  }
  await commitBatch(ctx, batch, requests.length);
  return results;
}

/** One request as `schedule` writes it: duplicate, grouped into an open group, or created. */
async function writeOne(ctx: StoreContext, request: ScheduleRequest, mode: Mode): Promise<ScheduleResult> {
  const key = request.message.idempotencyKey;
  if (key !== null) {
    const existing = await findDuplicate(ctx, key, mode.batch, mode.session);
    if (existing) return existing;
  }
  if (request.merge && request.message.groupMark !== null) {
    const grouped = await joinGroup(ctx, request, request.merge, mode);
    if (grouped) return grouped;
  }
  return create(ctx, request, mode);
}

async function create(ctx: StoreContext, request: ScheduleRequest, mode: Mode): Promise<ScheduleResult> {
  const { dispatches, now } = request;
  const id = await reserveIds(ctx.c, 1 + dispatches.length);
  const doc = newMessageDoc(request, id);
  const docs = dispatchDocs(doc, id + 1, dispatches, now, mode.batch);
  const result: ScheduleResult = {
    message: toMessageRecord(doc),
    dispatches: docs.map(toDispatchRecord),
    outcome: 'created',
  };
  if (mode.batch === null) {
    if (docs.length > 0) await ctx.c.dispatches.insertMany(docs, { session: mode.session });
    await ctx.c.messages.insertOne(doc, { session: mode.session });
    return result;
  }
  if (docs.length > 0) await ctx.c.dispatches.insertMany(docs);
  try {
    await ctx.c.messages.insertOne({ ...doc, batch: mode.batch, batchNew: true, staging: mode.batch });
  } catch (error) {
    const key = request.message.idempotencyKey;
    if (key === null || !isDuplicateKey(error)) throw error;
    // Another writer took the key since our look-up: its message is the answer, ours goes.
    await ctx.c.dispatches.deleteMany({ messageId: id, staged: mode.batch });
    const existing = await findDuplicate(ctx, key, mode.batch);
    if (existing) return existing;
    throw error;
  }
  return result;
}

/**
 * Joins the first open group of the same type, mark and readiness, as `schedule` does (a
 * compare-and-set on `version`). Held mode: a group created earlier in this call is ours to
 * extend; an older group is held for the call, its previous context kept for a roll-back.
 */
async function joinGroup(
  ctx: StoreContext,
  request: ScheduleRequest,
  merge: (existing: JsonObject) => JsonObject,
  mode: Mode,
): Promise<ScheduleResult | null> {
  const { message, now } = request;
  const { session, batch } = mode;
  const ours = batch === null ? [] : [{ batch }];
  for (let attempt = 0; attempt < GROUP_ATTEMPTS; attempt++) {
    const group = await ctx.c.messages.findOne(
      {
        type: message.type,
        groupMark: message.groupMark,
        dispatchesReady: message.dispatchesReady,
        groupOpen: true,
        $or: [UNHELD, ...ours],
      },
      { sort: { _id: 1 }, session },
    );
    if (!group) return null;
    const own = batch !== null && group.batch === batch;
    if (group.staging && !own) {
      // Another writer's committed stage: finished by whoever gets there first.
      await finishOrDefer(ctx, group, group.staging);
      continue;
    }
    const known = await ctx.c.dispatches
      .find(
        { messageId: group._id, $or: [COMMITTED, ...(own ? [{ staged: batch }] : [])] },
        { projection: { messenger: 1, address: 1 }, session },
      )
      .toArray();
    const knownKeys = new Set(known.map((d) => `${d.messenger}\u0000${d.address}`));
    const fresh = request.dispatches.filter((d) => !knownKeys.has(`${d.messenger}\u0000${d.address}`));
    const context = JSON.stringify(merge(JSON.parse(group.context) as JsonObject));
    const docs =
      fresh.length > 0 ? dispatchDocs(group, await reserveIds(ctx.c, fresh.length), fresh, now, batch) : [];
    // Held mode stages first (nothing sees staged dispatches); in a transaction the order is moot.
    if (batch !== null && docs.length > 0) await ctx.c.dispatches.insertMany(docs);
    const { matchedCount } = await ctx.c.messages.updateOne(
      own
        ? { _id: group._id, version: group.version, batch }
        : { _id: group._id, version: group.version, groupOpen: true, staging: { $exists: false }, ...UNHELD },
      {
        $set: {
          context,
          ...(batch !== null && !own && { batch, batchUndo: group.context, staging: batch }),
        },
        $inc: { version: 1 },
      },
      { session },
    );
    if (matchedCount === 0) {
      if (batch !== null && docs.length > 0) {
        await ctx.c.dispatches.deleteMany({ _id: { $in: docs.map((d) => d._id) }, staged: batch });
      }
      continue;
    }
    if (batch === null && docs.length > 0) await ctx.c.dispatches.insertMany(docs, { session });
    return {
      message: toMessageRecord({ ...group, context }),
      dispatches: docs.map(toDispatchRecord),
      outcome: 'grouped',
    };
  }
  return null;
}
