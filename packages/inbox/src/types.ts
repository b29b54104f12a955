import type { HealthStatus, JsonObject } from '@sitemsg/core/plugin';

/** Bumped when the InboxStore contract changes incompatibly; the service refuses a store built for another. */
export const INBOX_STORE_CONTRACT_VERSION = 1 as const;

/** One notification in one user's inbox. */
export interface InboxMessage {
  readonly id: string;
  readonly userId: string;
  /** Short display title for the bell's list. */
  readonly title: string;
  readonly body: string;
  /** Opaque application data (for messages from the engine: dispatchId, messageId, messageType). */
  readonly metadata: JsonObject;
  readonly createdAt: Date;
  readonly read: boolean;
  readonly readAt: Date | null;
}

/** A message as the service hands it to a store for insertion. */
export interface NewInboxMessage {
  readonly id: string;
  readonly userId: string;
  readonly title: string;
  readonly body: string;
  readonly metadata: JsonObject;
  readonly createdAt: Date;
  /** Unique per user when set: inserting the same key twice returns the first message. */
  readonly idempotencyKey: string | null;
}

/** Where a page starts: strictly older than this (createdAt, id) pair. */
export interface InboxPosition {
  readonly createdAt: Date;
  readonly id: string;
}

export interface InboxListQuery {
  readonly userId: string;
  readonly unreadOnly: boolean;
  readonly limit: number;
  readonly before: InboxPosition | null;
}

/** What an owner-guarded write found: the store changes nothing unless the message is the user's. */
export type OwnedOutcome = 'changed' | 'unchanged' | 'not-found' | 'forbidden';

/**
 * Persistence for inbox messages. Every store passes `inboxStoreConformance` from
 * `@sitemsg/testing/inbox`. Times are passed in (the service owns the clock); lists are newest
 * first by (createdAt, id); every write that names a user touches only that user's messages.
 */
export interface InboxStore {
  readonly inboxStoreContractVersion: typeof INBOX_STORE_CONTRACT_VERSION;
  /** A short name for logs and health checks (`memory`, `postgres`, `mongo`). */
  readonly name: string;
  /** Connects and migrates. Idempotent. */
  init?(): Promise<void>;
  /** Releases what the store itself created (never a pool the application passed in). */
  close?(): Promise<void>;
  /** Passes on an empty store: it probes the storage, not the data. */
  healthCheck?(): Promise<HealthStatus>;

  /** Inserts a message, or returns the user's earlier one with the same idempotency key (`created: false`). */
  insert(message: NewInboxMessage): Promise<{ message: InboxMessage; created: boolean }>;
  get(id: string): Promise<InboxMessage | null>;
  /** A user's messages, newest first, strictly before `before` when given, at most `limit`. */
  list(query: InboxListQuery): Promise<InboxMessage[]>;
  markRead(id: string, userId: string, now: Date): Promise<OwnedOutcome>;
  /** Marks every unread message of the user read; returns the ids it changed. */
  markAllRead(userId: string, now: Date): Promise<string[]>;
  /** Deletes one of the user's messages (`changed`), or reports why not. Never `unchanged`. */
  delete(id: string, userId: string): Promise<OwnedOutcome>;
  countUnread(userId: string): Promise<number>;
  /** Deletes every message of the user; returns how many. */
  clearAll(userId: string): Promise<number>;
  /** Deletes every message created before `before`, whoever owns it; returns how many. */
  deleteOlderThan(before: Date): Promise<number>;
}
