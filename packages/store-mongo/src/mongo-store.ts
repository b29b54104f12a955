import {
  type ClaimedDispatch,
  type ClaimRequest,
  type CleanupRequest,
  type CleanupResult,
  type CompletionOutcome,
  type DispatchCounts,
  type DispatchErrorRecord,
  type DispatchRecord,
  type DispatchStatus,
  describeError,
  type FeedbackRecord,
  type HealthStatus,
  type MessageRecord,
  type MessengerMedia,
  type NewDispatch,
  type ScheduleRequest,
  type ScheduleResult,
  STORE_CONTRACT_VERSION,
  type Store,
  type StoreScheduleOptions,
  type Subscription,
  type SubscriptionFilter,
  type Suppression,
  type SuppressionFilter,
  ValidationError,
} from '@sitemsg/core/plugin';
import type { Db, MongoClient } from 'mongodb';
import * as claims from './claim.js';
import { MongoConnection } from './connection.js';
import { collections, type StoreContext } from './context.js';
import { storeCall } from './errors.js';
import * as feedback from './feedback.js';
import { migrate } from './migrations.js';
import {
  checkConnection,
  checkOptions,
  checkPrefix,
  DEFAULT_PREFIX,
  type MongoStoreConnection,
  type MongoStoreOptions,
} from './options.js';
import * as reads from './reads.js';
import * as scheduling from './schedule.js';
import { scheduleMany } from './schedule-many.js';
import { repairStaging } from './staging.js';
import * as subscriptions from './subscriptions.js';
import * as suppressions from './suppressions.js';

/**
 * sitemsg's MongoDB store: many worker processes share one database and claim dispatches
 * atomically under leases. Correct without multi-document transactions (ordered, staged writes);
 * uses them for scheduling where the server has them (replica set, mongos).
 */
export class MongoStore implements Store {
  readonly storeContractVersion: typeof STORE_CONTRACT_VERSION = STORE_CONTRACT_VERSION;
  readonly name: string = 'mongo';
  readonly collectionPrefix: string;
  private readonly connection: MongoConnection<StoreContext>;

  constructor(connection: MongoStoreConnection, options: MongoStoreOptions = {}) {
    checkConnection(connection);
    checkOptions(options);
    this.collectionPrefix = checkPrefix(options.collectionPrefix ?? DEFAULT_PREFIX);
    this.connection = new MongoConnection(connection, (client, db) => this.open(client, db));
  }

  /** Connects (when given a URL), creates the indexes and finishes any half-done schedule. Idempotent. */
  async init(): Promise<void> {
    await this.context();
  }

  /** Creates the collections' indexes; `init()` runs it. */
  async migrate(): Promise<void> {
    const ctx = await this.context();
    await storeCall('creating indexes', () => migrate(ctx.c));
  }

  /** Closes the client only when the store created it from a URL. */
  close(): Promise<void> {
    return this.connection.close();
  }

  async healthCheck(): Promise<HealthStatus> {
    try {
      const ctx = await this.context();
      await ctx.db.command({ ping: 1 });
      return {
        status: 'healthy',
        detail: `ping ok (${ctx.transactions ? 'transactions' : 'ordered writes'})`,
      };
    } catch (error) {
      return { status: 'unhealthy', detail: describeError(error) };
    }
  }

  /**
   * Writes a message and its dispatches (see the README for the write order without transactions).
   * A transactional outbox (`{ client }`) is a Postgres feature: refused here rather than ignored.
   */
  schedule(request: ScheduleRequest, options?: StoreScheduleOptions): Promise<ScheduleResult> {
    if (options?.client !== undefined) return Promise.reject(outboxRefused());
    return this.run('scheduling a message', (ctx) => scheduling.schedule(ctx, request));
  }

  /**
   * Several messages, all or none: one transaction where the server has them, else held under a
   * batch record until one single-document commit (see the README for what a crash leaves).
   */
  scheduleMany(
    requests: readonly ScheduleRequest[],
    options?: StoreScheduleOptions,
  ): Promise<ScheduleResult[]> {
    if (options?.client !== undefined) return Promise.reject(outboxRefused());
    return this.run('scheduling messages', (ctx) => scheduleMany(ctx, requests));
  }

  listPostponedMessages(limit: number): Promise<MessageRecord[]> {
    return this.run('listing postponed messages', (ctx) => reads.listPostponedMessages(ctx, limit));
  }

  addDispatches(messageId: string, dispatches: readonly NewDispatch[], now: Date): Promise<DispatchRecord[]> {
    return this.run('adding dispatches', (ctx) => scheduling.addDispatches(ctx, messageId, dispatches, now));
  }

  claim(request: ClaimRequest): Promise<ClaimedDispatch[]> {
    return this.run('claiming dispatches', (ctx) => claims.claim(ctx, request));
  }

  renewLeases(owner: string, dispatchIds: readonly string[], until: Date): Promise<number> {
    return this.run('renewing leases', (ctx) => claims.renewLeases(ctx, owner, dispatchIds, until));
  }

  complete(owner: string, outcomes: readonly CompletionOutcome[], now: Date): Promise<number> {
    return this.run('recording outcomes', (ctx) => claims.complete(ctx, owner, outcomes, now));
  }

  getMessage(id: string): Promise<MessageRecord | null> {
    return this.run('reading a message', (ctx) => reads.getMessage(ctx, id));
  }

  getDispatch(id: string): Promise<DispatchRecord | null> {
    return this.run('reading a dispatch', (ctx) => reads.getDispatch(ctx, id));
  }

  listDispatches(filter: { messageId?: string; status?: DispatchStatus }): Promise<DispatchRecord[]> {
    return this.run('listing dispatches', (ctx) => reads.listDispatches(ctx, filter));
  }

  countDispatches(): Promise<DispatchCounts> {
    return this.run('counting dispatches', (ctx) => reads.countDispatches(ctx));
  }

  listDispatchErrors(dispatchId: string): Promise<DispatchErrorRecord[]> {
    return this.run('reading the error log', (ctx) => reads.listDispatchErrors(ctx, dispatchId));
  }

  markRead(dispatchId: string, now: Date): Promise<boolean> {
    return this.run('marking a dispatch read', (ctx) => reads.markRead(ctx, dispatchId, now));
  }

  cleanup(request: CleanupRequest): Promise<CleanupResult> {
    return this.run('cleaning up', (ctx) => reads.cleanup(ctx, request));
  }

  listSubscriptions(filter: SubscriptionFilter): Promise<Subscription[]> {
    return this.run('listing subscriptions', (ctx) => subscriptions.listSubscriptions(ctx, filter));
  }

  addSubscription(subscription: Subscription): Promise<boolean> {
    return this.run('adding a subscription', (ctx) => subscriptions.addSubscription(ctx, subscription));
  }

  removeSubscriptions(
    filter: SubscriptionFilter & { messageType: string; messenger: string },
  ): Promise<number> {
    return this.run('removing subscriptions', (ctx) => subscriptions.removeSubscriptions(ctx, filter));
  }

  replaceUserSubscriptions(
    userId: string,
    scope: readonly { messageType: string; messenger: string }[],
    selected: readonly Subscription[],
  ): Promise<void> {
    return this.run('replacing subscriptions', (ctx) =>
      subscriptions.replaceUserSubscriptions(ctx, userId, scope, selected),
    );
  }

  addSuppression(suppression: Suppression): Promise<boolean> {
    return this.run('adding a suppression', (ctx) => suppressions.addSuppression(ctx, suppression));
  }

  findSuppressed(
    messageType: string,
    recipients: readonly { messenger: string; address: string }[],
    media?: MessengerMedia,
  ): Promise<Suppression[]> {
    return this.run('reading suppressions', (ctx) =>
      suppressions.findSuppressed(ctx, messageType, recipients, media),
    );
  }

  removeSuppressions(filter: SuppressionFilter): Promise<number> {
    return this.run('removing suppressions', (ctx) => suppressions.removeSuppressions(ctx, filter));
  }

  findDispatchByProviderId(messenger: string, providerMessageId: string): Promise<DispatchRecord | null> {
    return this.run('finding a dispatch by provider message id', (ctx) =>
      reads.findDispatchByProviderId(ctx, messenger, providerMessageId),
    );
  }

  /** Feedback goes to the `feedback` collection; false for an event id the dispatch already has. */
  addFeedback(record: FeedbackRecord): Promise<boolean> {
    return this.run('recording feedback', (ctx) => feedback.addFeedback(ctx, record));
  }

  listFeedback(dispatchId: string): Promise<FeedbackRecord[]> {
    return this.run('listing feedback', (ctx) => feedback.listFeedback(ctx, dispatchId));
  }

  private async run<T>(what: string, work: (ctx: StoreContext) => Promise<T>): Promise<T> {
    const ctx = await this.context();
    return storeCall(what, () => work(ctx));
  }

  private context(): Promise<StoreContext> {
    return this.connection.get();
  }

  /** What every operation works with, once per connection: indexes created, half-done schedules finished. */
  private async open(client: MongoClient, db: Db): Promise<StoreContext> {
    // `hello` came with 4.4.2; older 4.4 servers only know the legacy name.
    const hello = await db.command({ hello: 1 }).catch(() => db.command({ isMaster: 1 }));
    const ctx: StoreContext = {
      client,
      db,
      c: collections(db, this.collectionPrefix),
      transactions: typeof hello.setName === 'string' || hello.msg === 'isdbgrid',
      needsRepair: false,
      lastRepairAt: null,
    };
    await migrate(ctx.c);
    await repairStaging(ctx);
    return ctx;
  }
}

function outboxRefused(): ValidationError {
  return new ValidationError(
    '[sitemsg] [mongo] scheduleMessages({ client }) is not supported by the Mongo store: schedule after your own transaction commits, with an idempotencyKey so a retry cannot send twice.',
  );
}
