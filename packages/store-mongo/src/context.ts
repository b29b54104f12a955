import type { ClientSession, Collection, Db, MongoClient } from 'mongodb';
import type {
  BatchDoc,
  DispatchDoc,
  FeedbackDoc,
  MessageDoc,
  SubscriptionDoc,
  SuppressionDoc,
} from './documents.js';

export interface Collections {
  readonly messages: Collection<MessageDoc>;
  readonly dispatches: Collection<DispatchDoc>;
  readonly subscriptions: Collection<SubscriptionDoc>;
  readonly suppressions: Collection<SuppressionDoc>;
  readonly counters: Collection<{ _id: string; seq: number }>;
  readonly batches: Collection<BatchDoc>;
  readonly feedback: Collection<FeedbackDoc>;
}

/** What every store operation works with, once the store is initialised. */
export interface StoreContext {
  readonly client: MongoClient;
  readonly db: Db;
  readonly c: Collections;
  /** Whether multi-document transactions are used for scheduling (a replica set or mongos). */
  transactions: boolean;
  /** Set when this process left a committed message not yet made claimable: repair on the next claim. */
  needsRepair: boolean;
  /** Claim time (ms) of the last repair pass. */
  lastRepairAt: number | null;
}

export function collections(db: Db, prefix: string): Collections {
  return {
    messages: db.collection<MessageDoc>(`${prefix}messages`),
    dispatches: db.collection<DispatchDoc>(`${prefix}dispatches`),
    subscriptions: db.collection<SubscriptionDoc>(`${prefix}subscriptions`),
    suppressions: db.collection<SuppressionDoc>(`${prefix}suppressions`),
    counters: db.collection<{ _id: string; seq: number }>(`${prefix}counters`),
    batches: db.collection<BatchDoc>(`${prefix}batches`),
    feedback: db.collection<FeedbackDoc>(`${prefix}feedback`),
  };
}

/** Runs `work` in a transaction when the server has them, else as it is (the ordered fallback). */
export async function maybeTransaction<T>(
  ctx: StoreContext,
  work: (session: ClientSession | undefined) => Promise<T>,
): Promise<T> {
  if (!ctx.transactions) return work(undefined);
  const session = ctx.client.startSession();
  try {
    let result: T | undefined;
    await session.withTransaction(async () => {
      result = await work(session);
    });
    return result as T;
  } finally {
    await session.endSession();
  }
}
