import type { Subscription, SubscriptionFilter } from '@sitemsg/core/plugin';
import type { AnyBulkWriteOperation, Filter } from 'mongodb';
import type { StoreContext } from './context.js';
import type { SubscriptionDoc } from './documents.js';
import { isDuplicateKey } from './errors.js';

/** One subscription per (type, messenger, user) or, without a user, per (type, messenger, address). */
function subscriber(s: Subscription): string {
  return s.userId !== null ? `u:${s.userId}` : `a:${s.address ?? ''}`;
}

function toDoc(s: Subscription): SubscriptionDoc {
  return {
    messageType: s.messageType,
    messenger: s.messenger,
    userId: s.userId,
    address: s.address,
    subscriber: subscriber(s),
  };
}

function toFilter(f: SubscriptionFilter): Filter<SubscriptionDoc> {
  return {
    ...(f.messageType !== undefined && { messageType: f.messageType }),
    ...(f.messenger !== undefined && { messenger: f.messenger }),
    ...(f.userId !== undefined && { userId: f.userId }),
    ...(f.address !== undefined && { address: f.address }),
  };
}

export async function listSubscriptions(
  ctx: StoreContext,
  filter: SubscriptionFilter,
): Promise<Subscription[]> {
  const docs = await ctx.c.subscriptions
    .find(toFilter(filter), { sort: { _id: 1 }, projection: { _id: 0, subscriber: 0 } })
    .toArray();
  return docs.map((d) => ({
    messageType: d.messageType,
    messenger: d.messenger,
    userId: d.userId,
    address: d.address,
  }));
}

export async function addSubscription(ctx: StoreContext, subscription: Subscription): Promise<boolean> {
  try {
    await ctx.c.subscriptions.insertOne(toDoc(subscription));
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}

export async function removeSubscriptions(
  ctx: StoreContext,
  filter: SubscriptionFilter & { messageType: string; messenger: string },
): Promise<number> {
  const { deletedCount } = await ctx.c.subscriptions.deleteMany(toFilter(filter));
  return deletedCount;
}

/**
 * Deletes the user's subscriptions in scope, then upserts the selected ones. Two ordered steps:
 * a concurrent reader may see the user briefly unsubscribed from the pairs in scope.
 */
export async function replaceUserSubscriptions(
  ctx: StoreContext,
  userId: string,
  scope: readonly { messageType: string; messenger: string }[],
  selected: readonly Subscription[],
): Promise<void> {
  if (scope.length > 0) {
    await ctx.c.subscriptions.deleteMany({
      userId,
      $or: scope.map((p) => ({ messageType: p.messageType, messenger: p.messenger })),
    });
  }
  if (selected.length === 0) return;
  const upserts: AnyBulkWriteOperation<SubscriptionDoc>[] = selected.map((s) => {
    const doc = toDoc({ ...s, userId });
    const key = { messageType: doc.messageType, messenger: doc.messenger, subscriber: doc.subscriber };
    return { updateOne: { filter: key, update: { $setOnInsert: doc }, upsert: true } };
  });
  try {
    await ctx.c.subscriptions.bulkWrite(upserts, { ordered: false });
  } catch (error) {
    // A concurrent upsert of the same subscription: it exists either way.
    if (!isDuplicateKey(error)) throw error;
  }
}
