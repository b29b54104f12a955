import {
  type DispatchRecord,
  type JsonObject,
  type NewDispatch,
  type ScheduleRequest,
  type ScheduleResult,
  ValidationError,
} from '@sitemsg/core/plugin';
import { maybeTransaction, type StoreContext } from './context.js';
import {
  COMMITTED,
  type DispatchDoc,
  type MessageDoc,
  newMessageDoc,
  parseId,
  toDispatchRecord,
  toMessageRecord,
  UNHELD,
  VISIBLE,
} from './documents.js';
import { findDuplicate } from './duplicate.js';
import { isDuplicateKey, isTransactionUnsupported } from './errors.js';
import { reserveIds } from './migrations.js';
import { dispatchDocs, finishOrDefer, stage, unstage } from './staging.js';

/** Concurrent writers into one group retry this often before the message is created on its own. */
const GROUP_ATTEMPTS = 5;

export async function schedule(ctx: StoreContext, request: ScheduleRequest): Promise<ScheduleResult> {
  const key = request.message.idempotencyKey;
  if (key !== null) {
    const existing = await findDuplicate(ctx, key);
    if (existing) return existing;
  }
  if (request.merge && request.message.groupMark !== null) {
    const grouped = await joinGroup(ctx, request, request.merge);
    if (grouped) return grouped;
  }
  try {
    return await createMessage(ctx, request);
  } catch (error) {
    if (key !== null && isDuplicateKey(error)) {
      const existing = await findDuplicate(ctx, key);
      if (existing) return existing;
    }
    throw error;
  }
}

async function createMessage(ctx: StoreContext, request: ScheduleRequest): Promise<ScheduleResult> {
  const { dispatches, now } = request;
  // One reservation for the message and its dispatches: ids stay in creation order.
  const id = await reserveIds(ctx.c, 1 + dispatches.length);
  const doc = newMessageDoc(request, id);
  const created = (records: DispatchRecord[]): ScheduleResult => ({
    message: toMessageRecord(doc),
    dispatches: records,
    outcome: 'created',
  });
  if (dispatches.length === 0) {
    await ctx.c.messages.insertOne(doc);
    return created([]);
  }
  if (ctx.transactions) {
    try {
      return created(await insertInTransaction(ctx, doc, dispatchDocs(doc, id + 1, dispatches, now, null)));
    } catch (error) {
      if (!isTransactionUnsupported(error)) throw error;
      ctx.transactions = false;
    }
  }
  const { token, docs } = await stage(ctx, doc, dispatches, now, id + 1);
  try {
    await ctx.c.messages.insertOne({ ...doc, staging: token });
  } catch (error) {
    await unstage(ctx, token);
    throw error;
  }
  await finishOrDefer(ctx, doc, token);
  return created(docs.map(toDispatchRecord));
}

/** On a replica set or mongos: the message and its dispatches in one multi-document transaction. */
async function insertInTransaction(
  ctx: StoreContext,
  doc: MessageDoc,
  docs: DispatchDoc[],
): Promise<DispatchRecord[]> {
  await maybeTransaction(ctx, async (session) => {
    await ctx.c.dispatches.insertMany(docs, { session });
    await ctx.c.messages.insertOne(doc, { session });
  });
  return docs.map(toDispatchRecord);
}

/**
 * Joins the first open message of the same type, mark and readiness: merges the context and adds
 * dispatches for addresses it does not have yet. The message's `version` guards the merge against
 * concurrent writers and against a claim closing the group (claims bump it).
 */
async function joinGroup(
  ctx: StoreContext,
  request: ScheduleRequest,
  merge: (existing: JsonObject) => JsonObject,
): Promise<ScheduleResult | null> {
  const { message, now } = request;
  for (let attempt = 0; attempt < GROUP_ATTEMPTS; attempt++) {
    const group = await ctx.c.messages.findOne(
      {
        type: message.type,
        groupMark: message.groupMark,
        dispatchesReady: message.dispatchesReady,
        groupOpen: true,
        // A group an undecided scheduleMany call holds may yet be rolled back: not joined.
        ...UNHELD,
      },
      { sort: { _id: 1 } },
    );
    if (!group) return null;
    if (group.staging) {
      await finishOrDefer(ctx, group, group.staging);
      continue;
    }
    const known = await ctx.c.dispatches
      .find({ messageId: group._id, ...COMMITTED }, { projection: { messenger: 1, address: 1 } })
      .toArray();
    const knownKeys = new Set(known.map((d) => `${d.messenger}\u0000${d.address}`));
    const fresh = request.dispatches.filter((d) => !knownKeys.has(`${d.messenger}\u0000${d.address}`));
    const context = JSON.stringify(merge(JSON.parse(group.context) as JsonObject));
    const staged = fresh.length > 0 ? await stage(ctx, group, fresh, now) : null;
    const { matchedCount } = await ctx.c.messages.updateOne(
      { _id: group._id, version: group.version, groupOpen: true, staging: { $exists: false }, ...UNHELD },
      { $set: { context, ...(staged && { staging: staged.token }) }, $inc: { version: 1 } },
    );
    if (matchedCount === 0) {
      if (staged) await unstage(ctx, staged.token);
      continue;
    }
    if (staged) await finishOrDefer(ctx, group, staged.token);
    return {
      message: toMessageRecord({ ...group, context }),
      dispatches: (staged?.docs ?? []).map(toDispatchRecord),
      outcome: 'grouped',
    };
  }
  return null;
}

/**
 * Gives a postponed message its dispatches and marks it ready, atomically. Only the first of
 * several workers preparing the same message wins; the others get no dispatches.
 */
export async function addDispatches(
  ctx: StoreContext,
  messageId: string,
  dispatches: readonly NewDispatch[],
  now: Date,
): Promise<DispatchRecord[]> {
  const id = parseId(messageId);
  const message = id === null ? null : await ctx.c.messages.findOne({ _id: id, ...VISIBLE });
  if (!message) throw new ValidationError(`[sitemsg] [mongo] Message ${messageId} does not exist.`);
  if (message.dispatchesReady) return [];
  // A postponed group held by an undecided scheduleMany call is prepared once the call decides.
  const postponed = { _id: message._id, dispatchesReady: false, staging: { $exists: false }, ...UNHELD };
  const ready = { $set: { dispatchesReady: true }, $inc: { version: 1 } };
  if (dispatches.length === 0) {
    await ctx.c.messages.updateOne(postponed, ready);
    return [];
  }
  if (ctx.transactions) {
    try {
      return await readyInTransaction(ctx, message, dispatches, now);
    } catch (error) {
      if (!isTransactionUnsupported(error)) throw error;
      ctx.transactions = false;
    }
  }
  const { token, docs } = await stage(ctx, message, dispatches, now);
  const { matchedCount } = await ctx.c.messages
    .updateOne(postponed, { ...ready, $set: { dispatchesReady: true, staging: token } })
    .catch(async (error: unknown) => {
      await unstage(ctx, token);
      throw error;
    });
  if (matchedCount === 0) {
    await unstage(ctx, token);
    return [];
  }
  await finishOrDefer(ctx, message, token);
  return docs.map(toDispatchRecord);
}

class AlreadyPrepared extends Error {}

async function readyInTransaction(
  ctx: StoreContext,
  message: MessageDoc,
  dispatches: readonly NewDispatch[],
  now: Date,
): Promise<DispatchRecord[]> {
  const first = await reserveIds(ctx.c, dispatches.length);
  const docs = dispatchDocs(message, first, dispatches, now, null);
  try {
    await maybeTransaction(ctx, async (session) => {
      const { matchedCount } = await ctx.c.messages.updateOne(
        { _id: message._id, dispatchesReady: false },
        { $set: { dispatchesReady: true }, $inc: { version: 1 } },
        { session },
      );
      if (matchedCount === 0) throw new AlreadyPrepared();
      await ctx.c.dispatches.insertMany(docs, { session });
    });
  } catch (error) {
    if (error instanceof AlreadyPrepared) return [];
    throw error;
  }
  return docs.map(toDispatchRecord);
}
