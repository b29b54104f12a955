import {
  aggregateHealth,
  assertJsonObject,
  type Clock,
  ConfigurationError,
  describeError,
  type EventHandler,
  type HealthStatus,
  type JsonObject,
  type Logger,
  systemClock,
  ValidationError,
} from '@sitemsg/core/plugin';
import { decodeCursor, encodeCursor } from './cursor.js';
import { InboxAccessError, InboxNotFoundError } from './errors.js';
import type { InboxEventName, InboxEventTarget } from './events.js';
import { createIdGenerator } from './ids.js';
import { InboxEventBus } from './inbox-event-bus.js';
import { MemoryInboxStore } from './memory-store.js';
import { checkOptionKeys } from './option-keys.js';
import {
  INBOX_STORE_CONTRACT_VERSION,
  type InboxMessage,
  type InboxStore,
  type OwnedOutcome,
} from './types.js';

const DAY_MS = 86_400_000;
const DEFAULT_PAGE = 20;

export interface InboxServiceOptions {
  /** Where messages live. Default: a new MemoryInboxStore. */
  readonly store?: InboxStore;
  /** Emit `inbox:created` / `inbox:read` through this engine. Default: the service's own bus (`inbox.on`). */
  readonly sitemsg?: InboxEventTarget;
  /** Time source for createdAt, readAt and retention. Default: the system clock. */
  readonly clock?: Clock;
  /** The most messages one `getInbox()` page returns, whatever `limit` asks. Default 100. */
  readonly maxPageSize?: number;
  /** Default for `pruneOlderThan()`; messages older than this many days may be pruned. Default: none. */
  readonly retentionDays?: number;
  /** Timeout of `healthCheck()`. Default 5 s. */
  readonly healthTimeoutMs?: number;
  /** Receives failures of event handlers on the service's own bus. */
  readonly logger?: Logger;
}

export interface GetInboxOptions {
  /** Only unread messages. */
  readonly unreadOnly?: boolean;
  /** Page size; capped at `maxPageSize`. Default 20 (or `maxPageSize` if smaller). */
  readonly limit?: number;
  /** The `nextCursor` of the previous page. */
  readonly before?: string | null;
}

export interface InboxPage {
  /** Newest first. */
  readonly messages: readonly InboxMessage[];
  /** Pass as `before` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

export interface SendInboxOptions {
  /** Unique per user: sending the same key again returns the first message and emits nothing. */
  readonly idempotencyKey?: string;
}

const KNOWN = ['store', 'sitemsg', 'clock', 'maxPageSize', 'retentionDays', 'healthTimeoutMs', 'logger'];

/**
 * A per-user in-app inbox (the notification bell). Every method that takes a `userId` touches only
 * that user's messages: another user's message gets an `InboxAccessError` and nothing changes.
 */
export class InboxService {
  readonly store: InboxStore;
  readonly maxPageSize: number;
  readonly retentionDays: number | null;
  private readonly clock: Clock;
  private readonly events: InboxEventTarget;
  private readonly healthTimeoutMs: number;
  private readonly nextId: () => string;
  private ready: Promise<void> | null = null;

  constructor(options: InboxServiceOptions = {}) {
    checkOptionKeys('InboxService', options, KNOWN);
    const store = options.store ?? new MemoryInboxStore();
    if (store.inboxStoreContractVersion !== INBOX_STORE_CONTRACT_VERSION) {
      throw new ConfigurationError(
        `[sitemsg] [inbox] store "${store.name}" implements inbox store contract ${String(store.inboxStoreContractVersion)}, this @sitemsg/inbox needs ${INBOX_STORE_CONTRACT_VERSION}.`,
      );
    }
    this.store = store;
    this.maxPageSize = positiveInteger(options.maxPageSize ?? 100, 'maxPageSize');
    this.retentionDays =
      options.retentionDays === undefined ? null : days(options.retentionDays, 'retentionDays');
    this.healthTimeoutMs = positiveInteger(options.healthTimeoutMs ?? 5000, 'healthTimeoutMs');
    this.clock = options.clock ?? systemClock;
    this.nextId = createIdGenerator(this.clock);
    const logger = options.logger;
    this.events =
      options.sitemsg ??
      new InboxEventBus((event, error) =>
        logger?.error?.(`[sitemsg] [inbox] a "${event}" handler failed: ${describeError(error)}`),
      );
  }

  /** Connects and migrates the store. Called lazily by every other method. */
  init(): Promise<void> {
    this.ready ??= (async () => {
      await this.store.init?.();
    })().catch((error: unknown) => {
      this.ready = null;
      throw error;
    });
    return this.ready;
  }

  /** Closes what the store created. */
  async close(): Promise<void> {
    await this.store.close?.();
    this.ready = null;
  }

  /** Subscribes to `inbox:created` / `inbox:read` (on the engine when one was given); returns the unsubscribe function. */
  on<K extends InboxEventName>(event: K, handler: EventHandler<K>): () => void {
    return this.events.on(event, handler);
  }

  /** Puts a message in a user's inbox and emits `inbox:created`. */
  async send(
    userId: string,
    title: string,
    body: string,
    metadata: JsonObject = {},
    options: SendInboxOptions = {},
  ): Promise<InboxMessage> {
    requireId(userId, 'userId');
    if (typeof title !== 'string') throw new ValidationError('[sitemsg] [inbox] title must be a string.');
    if (typeof body !== 'string') throw new ValidationError('[sitemsg] [inbox] body must be a string.');
    assertJsonObject(metadata, '[sitemsg] [inbox] metadata');
    if (options.idempotencyKey !== undefined) requireId(options.idempotencyKey, 'idempotencyKey');
    await this.init();
    const { message, created } = await this.store.insert({
      id: this.nextId(),
      userId,
      title,
      body,
      metadata,
      createdAt: new Date(this.clock.now()),
      idempotencyKey: options.idempotencyKey ?? null,
    });
    if (created) this.events.emit('inbox:created', { inboxMessageId: message.id, userId });
    return message;
  }

  /** A user's messages, newest first, one page at a time. */
  async getInbox(userId: string, options: GetInboxOptions = {}): Promise<InboxPage> {
    requireId(userId, 'userId');
    const limit = Math.min(options.limit ?? DEFAULT_PAGE, this.maxPageSize);
    if (!Number.isInteger(limit) || limit < 1) {
      throw new ValidationError('[sitemsg] [inbox] limit must be a positive integer.');
    }
    const before = options.before ? decodeCursor(options.before) : null;
    await this.init();
    const rows = await this.store.list({
      userId,
      unreadOnly: options.unreadOnly ?? false,
      limit: limit + 1,
      before,
    });
    const messages = rows.slice(0, limit);
    const last = messages.at(-1);
    return { messages, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
  }

  /**
   * One message by id, or null when it does not exist. With `userId`, another user's message is an
   * InboxAccessError instead (use this form for anything a user asked for).
   */
  async getMessage(id: string, userId?: string): Promise<InboxMessage | null> {
    requireId(id, 'id');
    if (userId !== undefined) requireId(userId, 'userId');
    await this.init();
    const message = await this.store.get(id);
    if (message && userId !== undefined && message.userId !== userId) throw new InboxAccessError(id);
    return message;
  }

  /** Marks one of the user's messages read; false when it already was. Emits `inbox:read` when it changed. */
  async markRead(id: string, userId: string): Promise<boolean> {
    requireId(id, 'id');
    requireId(userId, 'userId');
    await this.init();
    const outcome = await this.store.markRead(id, userId, new Date(this.clock.now()));
    guard(outcome, id);
    if (outcome === 'changed') this.events.emit('inbox:read', { inboxMessageId: id, userId });
    return outcome === 'changed';
  }

  /** Marks every unread message of the user read; returns how many changed (one `inbox:read` each). */
  async markAllRead(userId: string): Promise<number> {
    requireId(userId, 'userId');
    await this.init();
    const ids = await this.store.markAllRead(userId, new Date(this.clock.now()));
    for (const id of ids) this.events.emit('inbox:read', { inboxMessageId: id, userId });
    return ids.length;
  }

  /** Deletes one of the user's messages. */
  async delete(id: string, userId: string): Promise<void> {
    requireId(id, 'id');
    requireId(userId, 'userId');
    await this.init();
    guard(await this.store.delete(id, userId), id);
  }

  async countUnread(userId: string): Promise<number> {
    requireId(userId, 'userId');
    await this.init();
    return this.store.countUnread(userId);
  }

  /** Deletes every message of the user; returns how many. */
  async clearAll(userId: string): Promise<number> {
    requireId(userId, 'userId');
    await this.init();
    return this.store.clearAll(userId);
  }

  /** Deletes messages (of every user) older than `days` (default: `retentionDays`); returns how many. */
  async pruneOlderThan(olderThanDays: number | undefined = this.retentionDays ?? undefined): Promise<number> {
    if (olderThanDays === undefined) {
      throw new ConfigurationError(
        '[sitemsg] [inbox] pruneOlderThan() needs a number of days or the retentionDays option.',
      );
    }
    if (typeof olderThanDays !== 'number' || !Number.isFinite(olderThanDays) || olderThanDays < 0) {
      throw new ValidationError(
        `[sitemsg] [inbox] pruneOlderThan() needs a number of days >= 0 (got ${String(olderThanDays)}).`,
      );
    }
    const before = new Date(this.clock.now() - olderThanDays * DAY_MS);
    await this.init();
    return this.store.deleteOlderThan(before);
  }

  /** The store's health under a timeout; a check that throws is unhealthy. Passes on an empty inbox. */
  async healthCheck(): Promise<HealthStatus> {
    const name = `inbox:${this.store.name}`;
    const report = await aggregateHealth(
      {
        [name]: async () => {
          await this.init();
          return (await this.store.healthCheck?.()) ?? { status: 'healthy' };
        },
      },
      this.healthTimeoutMs,
    );
    return report.components[name] ?? { status: report.status };
  }
}

function guard(outcome: OwnedOutcome, id: string): void {
  if (outcome === 'not-found') throw new InboxNotFoundError(id);
  if (outcome === 'forbidden') throw new InboxAccessError(id);
}

function requireId(value: unknown, what: string): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > 255) {
    throw new ValidationError(
      `[sitemsg] [inbox] ${what} must be a non-empty string of at most 255 characters.`,
    );
  }
}

function positiveInteger(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new ConfigurationError(
      `[sitemsg] [inbox] ${what} must be a positive integer (got ${String(value)}).`,
    );
  }
  return value;
}

function days(value: number, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ConfigurationError(
      `[sitemsg] [inbox] ${what} must be a number of days >= 0 (got ${String(value)}).`,
    );
  }
  return value;
}
