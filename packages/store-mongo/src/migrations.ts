import type { Collections } from './context.js';

/**
 * Creates the indexes every query needs. Idempotent, and safe when several processes run it at
 * once (createIndexes with an identical spec is a no-op on the server).
 */
export async function migrate(c: Collections): Promise<void> {
  await c.dispatches.createIndexes([
    // The claim: walk claimable dispatches in priority then creation order, filtering on `due`
    // inside the index. Only claimable dispatches carry `due`, so the index stays small.
    {
      key: { priority: -1, _id: 1, due: 1 },
      name: 'sitemsg_claim',
      partialFilterExpression: { due: { $exists: true } },
    },
    { key: { messageId: 1 }, name: 'sitemsg_message' },
    { key: { status: 1, createdAt: 1 }, name: 'sitemsg_status' },
    {
      key: { stagedAt: 1 },
      name: 'sitemsg_staged',
      partialFilterExpression: { staged: { $exists: true } },
    },
    // Feedback finds its dispatch by the provider's id. Only sent dispatches that got one carry the
    // field, so the index stays as small as that; `_id` last serves "the newest such dispatch".
    {
      key: { messenger: 1, providerMessageId: 1, _id: -1 },
      name: 'sitemsg_provider_id',
      partialFilterExpression: { providerMessageId: { $exists: true } },
    },
  ]);
  await c.messages.createIndexes([
    {
      key: { idempotencyKey: 1 },
      name: 'sitemsg_idempotency',
      unique: true,
      partialFilterExpression: { idempotencyKey: { $type: 'string' } },
    },
    {
      key: { type: 1, groupMark: 1, _id: 1 },
      name: 'sitemsg_open_groups',
      partialFilterExpression: { groupOpen: true },
    },
    {
      key: { dispatchesReady: 1, _id: 1 },
      name: 'sitemsg_postponed',
      partialFilterExpression: { dispatchesReady: false },
    },
    {
      key: { staging: 1 },
      name: 'sitemsg_staging',
      partialFilterExpression: { staging: { $exists: true } },
    },
    // Messages an undecided scheduleMany call holds: what its commit, roll-back and repair touch.
    {
      key: { batch: 1 },
      name: 'sitemsg_batch',
      partialFilterExpression: { batch: { $exists: true } },
    },
  ]);
  // The repair pass looks for decided batches and for running ones that are too old.
  await c.batches.createIndexes([{ key: { state: 1, startedAt: 1 }, name: 'sitemsg_batch_state' }]);
  await c.subscriptions.createIndexes([
    { key: { messageType: 1, messenger: 1, subscriber: 1 }, name: 'sitemsg_subscription', unique: true },
    { key: { userId: 1 }, name: 'sitemsg_subscription_user' },
  ]);
  await c.suppressions.createIndexes([
    { key: { messageType: 1, messenger: 1, address: 1 }, name: 'sitemsg_suppression', unique: true },
    // Lifting an address's suppressions of every type names no type: the key above cannot serve it.
    { key: { messenger: 1, address: 1 }, name: 'sitemsg_suppression_address' },
  ]);
  await c.feedback.createIndexes([
    // A provider's redelivered event is recorded once: the unique key is the event id on the
    // dispatch, only where there is one (feedback without an event id is never de-duplicated).
    {
      key: { dispatchId: 1, eventId: 1 },
      name: 'sitemsg_feedback_event',
      unique: true,
      partialFilterExpression: { eventId: { $exists: true } },
    },
    // listFeedback (oldest first), cleanup's delete by dispatch, and the orphan sweep's walk.
    { key: { dispatchId: 1, at: 1, _id: 1 }, name: 'sitemsg_feedback_dispatch' },
  ]);
  await c.counters.updateOne({ _id: 'ids' }, { $setOnInsert: { seq: 0 } }, { upsert: true });
}

/** Reserves `count` consecutive ids (creation order across every process sharing the database). */
export async function reserveIds(c: Collections, count: number): Promise<number> {
  const doc = await c.counters.findOneAndUpdate(
    { _id: 'ids' },
    { $inc: { seq: count } },
    { upsert: true, returnDocument: 'after' },
  );
  if (!doc) throw new Error('the id counter returned no document');
  return doc.seq - count + 1;
}
