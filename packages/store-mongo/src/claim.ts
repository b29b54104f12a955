import { randomUUID } from 'node:crypto';
import type { ClaimedDispatch, ClaimRequest, CompletionOutcome } from '@sitemsg/core/plugin';
import type { AnyBulkWriteOperation, Filter } from 'mongodb';
import type { StoreContext } from './context.js';
import {
  DISPATCH_PROJECTION,
  type DispatchDoc,
  type MessageDoc,
  parseId,
  toDispatchRecord,
  toMessageRecord,
} from './documents.js';
import { repairStaging } from './staging.js';

/** Rounds of a claim that lost dispatches to concurrent workers before it settles for fewer. */
const CLAIM_ROUNDS = 3;
/** How often (in claim time) a worker rolls forward schedules another process left half-finished. */
const REPAIR_INTERVAL_MS = 30_000;
/** Error log entries kept per dispatch. */
const ERROR_LOG_LIMIT = 100;

const CLAIM_ORDER = { priority: -1, _id: 1 } as const;

function claimFilter(request: ClaimRequest): Filter<DispatchDoc> {
  return {
    due: { $exists: true, $lte: request.now },
    ...(request.priority !== undefined && { priority: request.priority }),
    ...(request.messengers && { messenger: { $in: [...request.messengers] } }),
    ...(request.messageTypes && { type: { $in: [...request.messageTypes] } }),
  };
}

/**
 * Claims in batches with a claim token: find the first due ids in claim order, then one
 * `updateMany` that re-checks "still due" per document (atomic on each), stamping the token, the
 * lease and one attempt; then read back what carries the token. Dispatches another worker took in
 * between are simply not stamped; the next round tries further ones.
 */
export async function claim(ctx: StoreContext, request: ClaimRequest): Promise<ClaimedDispatch[]> {
  await maybeRepair(ctx, request.now);
  const token = randomUUID();
  const leaseExpiresAt = new Date(request.now.getTime() + request.leaseMs);
  const filter = claimFilter(request);
  const candidates: number[] = [];
  let claimed = 0;
  for (let round = 0; round < CLAIM_ROUNDS && claimed < request.limit; round++) {
    const want = request.limit - claimed;
    const found = await ctx.c.dispatches
      .find(filter, { sort: CLAIM_ORDER, limit: want, batchSize: want, projection: { _id: 1 } })
      .toArray();
    if (found.length === 0) break;
    const ids = found.map((d) => d._id);
    candidates.push(...ids);
    const { modifiedCount } = await ctx.c.dispatches.updateMany(
      { ...filter, _id: { $in: ids }, claimToken: { $ne: token } },
      {
        $set: {
          status: 'processing',
          leaseOwner: request.owner,
          leaseExpiresAt,
          due: leaseExpiresAt,
          claimToken: token,
        },
        $inc: { attempts: 1 },
      },
    );
    claimed += modifiedCount;
    if (modifiedCount === found.length || found.length < want) break;
  }
  if (claimed === 0) return [];
  const docs = await ctx.c.dispatches
    .find(
      { _id: { $in: candidates }, claimToken: token },
      { sort: CLAIM_ORDER, batchSize: claimed, projection: DISPATCH_PROJECTION },
    )
    .toArray();
  const messages = await messagesOf(ctx, docs);
  return docs.flatMap((doc) => {
    const message = messages.get(doc.messageId);
    return message ? [{ dispatch: toDispatchRecord(doc), message: toMessageRecord(message) }] : [];
  });
}

/**
 * The messages of claimed dispatches. A claimed dispatch closes its message's group first (bumping
 * its version), so a concurrent merge either landed before this read or goes to a new message.
 */
async function messagesOf(ctx: StoreContext, docs: DispatchDoc[]): Promise<Map<number, MessageDoc>> {
  const ids = [...new Set(docs.map((d) => d.messageId))];
  const grouped = [...new Set(docs.filter((d) => d.grouped).map((d) => d.messageId))];
  if (grouped.length > 0) {
    await ctx.c.messages.updateMany(
      { _id: { $in: grouped }, groupOpen: true },
      { $unset: { groupOpen: '' }, $inc: { version: 1 } },
    );
  }
  const found = await ctx.c.messages.find({ _id: { $in: ids } }, { batchSize: ids.length }).toArray();
  return new Map(found.map((m) => [m._id, m]));
}

async function maybeRepair(ctx: StoreContext, now: Date): Promise<void> {
  const at = now.getTime();
  const stale = ctx.lastRepairAt === null || Math.abs(at - ctx.lastRepairAt) >= REPAIR_INTERVAL_MS;
  if (!ctx.needsRepair && !stale) return;
  await repairStaging(ctx);
  ctx.lastRepairAt = at;
}

function ids(list: readonly string[]): number[] {
  return list.flatMap((id) => {
    const n = parseId(id);
    return n === null ? [] : [n];
  });
}

export async function renewLeases(
  ctx: StoreContext,
  owner: string,
  dispatchIds: readonly string[],
  until: Date,
): Promise<number> {
  const held = ids(dispatchIds);
  if (held.length === 0) return 0;
  const { matchedCount } = await ctx.c.dispatches.updateMany(
    { _id: { $in: held }, status: 'processing', leaseOwner: owner },
    { $set: { leaseExpiresAt: until, due: until } },
  );
  return matchedCount;
}

/** A sent outcome's provider id and receipt to keep, or null (a JavaScript caller's null is none: the fields stay absent). */
function sentDetails(outcome: CompletionOutcome): { providerMessageId?: string; receipt?: string } | null {
  if (outcome.status !== 'sent') return null;
  const hasId = typeof outcome.providerMessageId === 'string';
  const hasReceipt = outcome.receipt !== undefined && outcome.receipt !== null;
  if (!hasId && !hasReceipt) return null;
  return {
    ...(hasId && { providerMessageId: outcome.providerMessageId }),
    ...(hasReceipt && { receipt: JSON.stringify(outcome.receipt) }),
  };
}

/**
 * Writes a batch of outcomes in one round trip (one `bulkWrite`): one `updateMany` for every sent
 * dispatch without a provider message id or receipt, one `updateOne` per sent dispatch that has one (each
 * keeps its own) and per error (each carries its own message and next attempt). Every write is
 * fenced by the lease owner, so a worker whose lease was taken over writes nothing; each is atomic
 * on its document, which is all a claim needs.
 */
export async function complete(
  ctx: StoreContext,
  owner: string,
  outcomes: readonly CompletionOutcome[],
  now: Date,
): Promise<number> {
  const fence = { status: 'processing' as const, leaseOwner: owner };
  const released = { leaseOwner: null, leaseExpiresAt: null };
  const sentFields = { status: 'sent' as const, dispatchedAt: now, lastError: null, nextAttemptAt: null };
  const sentUnset = { due: '' as const, claimToken: '' as const };
  const plainSent = ids(
    outcomes.filter((o) => o.status === 'sent' && sentDetails(o) === null).map((o) => o.dispatchId),
  );
  const operations: AnyBulkWriteOperation<DispatchDoc>[] = [];
  if (plainSent.length > 0) {
    operations.push({
      updateMany: {
        filter: { _id: { $in: plainSent }, ...fence },
        update: { $set: { ...sentFields, ...released }, $unset: sentUnset },
      },
    });
  }
  for (const outcome of outcomes) {
    const id = parseId(outcome.dispatchId);
    if (id === null) continue;
    if (outcome.status === 'sent') {
      const details = sentDetails(outcome);
      if (details === null) continue;
      operations.push({
        updateOne: {
          filter: { _id: id, ...fence },
          update: {
            $set: { ...sentFields, ...released, ...details },
            $unset: sentUnset,
          },
        },
      });
      continue;
    }
    const retry = outcome.status === 'error';
    operations.push({
      updateOne: {
        filter: { _id: id, ...fence },
        update: {
          $set: {
            status: outcome.status,
            lastError: outcome.error,
            nextAttemptAt: retry ? outcome.nextAttemptAt : null,
            ...released,
            ...(retry && { due: outcome.nextAttemptAt }),
          },
          $unset: retry ? { claimToken: '' } : { due: '', claimToken: '' },
          $push: { errors: { $each: [{ error: outcome.error, at: now }], $slice: -ERROR_LOG_LIMIT } },
        },
      },
    });
  }
  if (operations.length === 0) return 0;
  const result = await ctx.c.dispatches.bulkWrite(operations, { ordered: false });
  return result.matchedCount;
}
