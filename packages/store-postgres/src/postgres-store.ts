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
import type pg from 'pg';
import * as claims from './claim.js';
import type { StoreContext } from './context.js';
import { Db } from './db.js';
import * as feedback from './feedback.js';
import { LATEST_VERSION, migrate } from './migrations.js';
import { buildNames, type Names } from './names.js';
import {
  checkConnection,
  type PostgresConnection,
  type PostgresStoreOptions,
  type ResolvedStoreOptions,
  resolveStoreOptions,
} from './options.js';
import { StorePool } from './pool.js';
import * as reads from './reads.js';
import * as scheduling from './schedule.js';
import * as subscriptions from './subscriptions.js';
import * as suppressions from './suppressions.js';
import { WorkSignal } from './work-signal.js';

/**
 * sitemsg's store on PostgreSQL: many worker processes on many machines share one database,
 * which coordinates them (batched claims with FOR UPDATE SKIP LOCKED, leases fenced by owner,
 * LISTEN/NOTIFY wake-ups). Nothing connects before `init()`.
 */
export class PostgresStore implements Store {
  readonly storeContractVersion: typeof STORE_CONTRACT_VERSION = STORE_CONTRACT_VERSION;
  readonly name: string = 'postgres';
  /** Scheduling leaves suppressed addresses out in its own insert (no lookup round trip first). */
  readonly filtersSuppressedOnSchedule = true;
  /** The pool the store runs on (the application's, or the one it created from the URL). */
  readonly pool: pg.Pool;

  private readonly options: ResolvedStoreOptions;
  private readonly names: Names;
  private readonly connection: StorePool;
  private readonly ctx: StoreContext;
  private readonly signal: WorkSignal;
  private closed = false;

  constructor(connection: PostgresConnection, options: PostgresStoreOptions = {}) {
    checkConnection(connection);
    this.options = resolveStoreOptions(options);
    this.names = buildNames(this.options);
    this.connection = new StorePool(connection, this.options.logger, 'postgres');
    this.pool = this.connection.pool;
    this.signal = new WorkSignal(
      this.names.channel,
      this.options.listen ? this.pool.options : null,
      this.options.logger,
    );
    this.ctx = {
      db: new Db(this.pool, this.options.preparedStatements),
      names: this.names,
      wakeLocal: () => this.signal.wake(),
      synchronousClaims: this.options.synchronousClaims,
    };
  }

  /** Creates or upgrades the schema; called by the engine's `init()`. */
  async init(): Promise<void> {
    await this.migrate();
  }

  /**
   * Applies missing migrations under an advisory lock (safe when several processes start at once);
   * returns the schema version.
   */
  migrate(): Promise<number> {
    return migrate(this.ctx.db, this.names, this.options.logger);
  }

  /** Stops the listener and ends the pool if the store created it; an application's pool stays open. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.signal.close();
    await this.connection.end();
  }

  async healthCheck(): Promise<HealthStatus> {
    try {
      const { rows } = await this.pool.query<{ version: number | null }>(
        `SELECT max(version) AS version FROM ${this.names.migrations}`,
      );
      const version = rows[0]?.version ?? 0;
      if (version < LATEST_VERSION) {
        return {
          status: 'degraded',
          detail: `schema at version ${version}, ${LATEST_VERSION} expected: run migrate()`,
        };
      }
      const listener =
        this.options.listen && this.signal.state === 'polling' ? ' (LISTEN not connected, polling)' : '';
      return { status: 'healthy', detail: `schema version ${version}${listener}` };
    } catch (error) {
      return { status: 'unhealthy', detail: describeError(error) };
    }
  }

  waitForWork(timeoutMs: number, signal: AbortSignal): Promise<void> {
    return this.signal.wait(timeoutMs, signal);
  }

  schedule(request: ScheduleRequest, options?: StoreScheduleOptions): Promise<ScheduleResult> {
    return scheduling.schedule(this.ctx, request, options);
  }

  scheduleMany(
    requests: readonly ScheduleRequest[],
    options?: StoreScheduleOptions,
  ): Promise<ScheduleResult[]> {
    return scheduling.scheduleMany(this.ctx, requests, options);
  }

  listPostponedMessages(limit: number): Promise<MessageRecord[]> {
    return reads.listPostponedMessages(this.ctx, limit);
  }

  addDispatches(messageId: string, dispatches: readonly NewDispatch[], now: Date): Promise<DispatchRecord[]> {
    return scheduling.addDispatches(this.ctx, messageId, dispatches, now);
  }

  claim(request: ClaimRequest): Promise<ClaimedDispatch[]> {
    return claims.claim(this.ctx, request);
  }

  /**
   * The claim's UPDATE as this store runs it (with its schema, prefix and filters), and example
   * values (owner `explain`, a 30 s lease from now), for `EXPLAIN` on your own data:
   * `store.pool.query(\`EXPLAIN ${s.text}\`, s.values)`.
   */
  claimStatement(filters: claims.ClaimFilters & { readonly limit?: number } = {}): claims.ClaimSql {
    const { limit = 100, priority, messengers, messageTypes } = filters;
    const texts = (list: unknown): boolean =>
      list === undefined || (Array.isArray(list) && list.every((item) => typeof item === 'string'));
    if (!Number.isInteger(limit) || limit < 1 || (priority !== undefined && !Number.isInteger(priority))) {
      throw new ValidationError(
        '[sitemsg] [postgres] claimStatement: limit and priority must be integers, limit ≥ 1.',
      );
    }
    if (!texts(messengers) || !texts(messageTypes)) {
      throw new ValidationError(
        '[sitemsg] [postgres] claimStatement: messengers and messageTypes must be arrays of strings.',
      );
    }
    const now = new Date();
    const until = new Date(now.getTime() + 30_000);
    return claims.claimStatement(this.names, { owner: 'explain', now, until, limit }, filters, true);
  }

  renewLeases(owner: string, dispatchIds: readonly string[], until: Date): Promise<number> {
    return claims.renewLeases(this.ctx, owner, dispatchIds, until);
  }

  complete(owner: string, outcomes: readonly CompletionOutcome[], now: Date): Promise<number> {
    return claims.complete(this.ctx, owner, outcomes, now);
  }

  getMessage(id: string): Promise<MessageRecord | null> {
    return reads.getMessage(this.ctx, id);
  }

  getDispatch(id: string): Promise<DispatchRecord | null> {
    return reads.getDispatch(this.ctx, id);
  }

  listDispatches(filter: { messageId?: string; status?: DispatchStatus }): Promise<DispatchRecord[]> {
    return reads.listDispatches(this.ctx, filter);
  }

  countDispatches(): Promise<DispatchCounts> {
    return reads.countDispatches(this.ctx);
  }

  listDispatchErrors(dispatchId: string): Promise<DispatchErrorRecord[]> {
    return reads.listDispatchErrors(this.ctx, dispatchId);
  }

  markRead(dispatchId: string, now: Date): Promise<boolean> {
    return reads.markRead(this.ctx, dispatchId, now);
  }

  cleanup(request: CleanupRequest): Promise<CleanupResult> {
    return reads.cleanup(this.ctx, request);
  }

  listSubscriptions(filter: SubscriptionFilter): Promise<Subscription[]> {
    return subscriptions.listSubscriptions(this.ctx, filter);
  }

  addSubscription(subscription: Subscription): Promise<boolean> {
    return subscriptions.addSubscription(this.ctx, subscription);
  }

  removeSubscriptions(
    filter: SubscriptionFilter & { messageType: string; messenger: string },
  ): Promise<number> {
    return subscriptions.removeSubscriptions(this.ctx, filter);
  }

  replaceUserSubscriptions(
    userId: string,
    scope: readonly { messageType: string; messenger: string }[],
    selected: readonly Subscription[],
  ): Promise<void> {
    return subscriptions.replaceUserSubscriptions(this.ctx, userId, scope, selected);
  }

  addSuppression(suppression: Suppression): Promise<boolean> {
    return suppressions.addSuppression(this.ctx, suppression);
  }

  findSuppressed(
    messageType: string,
    recipients: readonly { messenger: string; address: string }[],
    media?: MessengerMedia,
  ): Promise<Suppression[]> {
    return suppressions.findSuppressed(this.ctx, messageType, recipients, media);
  }

  removeSuppressions(filter: SuppressionFilter): Promise<number> {
    return suppressions.removeSuppressions(this.ctx, filter);
  }

  findDispatchByProviderId(messenger: string, providerMessageId: string): Promise<DispatchRecord | null> {
    return feedback.findDispatchByProviderId(this.ctx, messenger, providerMessageId);
  }

  /** False for an event already recorded; a `ValidationError` `UNKNOWN_DISPATCH` for a dispatch it does not hold. */
  addFeedback(record: FeedbackRecord): Promise<boolean> {
    return feedback.addFeedback(this.ctx, record);
  }

  listFeedback(dispatchId: string): Promise<FeedbackRecord[]> {
    return feedback.listFeedback(this.ctx, dispatchId);
  }
}
