import type { JsonObject } from './json.js';

/** The life of one dispatch. `processing` always carries a lease that expires. */
export const DispatchStatus = {
  pending: 'pending',
  processing: 'processing',
  sent: 'sent',
  error: 'error',
  failed: 'failed',
} as const;
export type DispatchStatus = (typeof DispatchStatus)[keyof typeof DispatchStatus];

export const ReadStatus = { unread: 'unread', read: 'read' } as const;
export type ReadStatus = (typeof ReadStatus)[keyof typeof ReadStatus];

/** A user as the application knows it: sitemsg needs an id; messengers read what they need (email, phone, ...). */
export interface SitemsgUser {
  readonly id: string | number;
  /** `false` skips the user when dispatches are prepared from subscriptions. */
  readonly isActive?: boolean;
  readonly [field: string]: unknown;
}

/** One resolved recipient: an address on one messenger, optionally tied to a user. */
export interface Recipient {
  readonly messenger: string;
  readonly address: string;
  readonly userId: string | null;
}

/** One stored message: what to say (type + context), not to whom. */
export interface MessageRecord {
  readonly id: string;
  readonly type: string;
  readonly context: JsonObject;
  readonly senderId: string | null;
  readonly priority: number;
  /** False while the message waits for `prepareDispatches()` to create dispatches from subscriptions. */
  readonly dispatchesReady: boolean;
  readonly createdAt: Date;
  /** Not sent before this time. */
  readonly sendAt: Date | null;
  readonly idempotencyKey: string | null;
  readonly groupMark: string | null;
}

/** One delivery of one message to one address through one messenger. Its id is stable across retries. */
export interface DispatchRecord {
  readonly id: string;
  readonly messageId: string;
  readonly messenger: string;
  readonly address: string;
  readonly userId: string | null;
  readonly status: DispatchStatus;
  readonly readStatus: ReadStatus;
  /** Attempts so far, counted when claimed (so a dispatch that crashes its worker still runs out). */
  readonly attempts: number;
  readonly lastError: string | null;
  /** The provider's id for the sent message, when its answer gave one. */
  readonly providerMessageId: string | null;
  readonly nextAttemptAt: Date | null;
  readonly leaseOwner: string | null;
  readonly leaseExpiresAt: Date | null;
  readonly createdAt: Date;
  readonly dispatchedAt: Date | null;
  readonly readAt: Date | null;
}

/** A claimed dispatch with its message, as a worker receives it. */
export interface ClaimedDispatch {
  readonly dispatch: DispatchRecord;
  readonly message: MessageRecord;
  /**
   * Optional: the store's answer, taken in the claim itself, to whether the dispatch's address is
   * suppressed for the message's type on its messenger (as `findSuppressed` answers, `'*'`
   * included). Given, it spares the engine the lookup before sending; left out, the engine asks.
   */
  readonly suppressed?: boolean;
}

/** A user's or an address's opt-in to a message type on a messenger. Unique per (type, messenger, user|address). */
export interface Subscription {
  readonly messageType: string;
  readonly messenger: string;
  readonly userId: string | null;
  /** For a user subscription, the address known when it was made (used when no `getUsers` is configured). */
  readonly address: string | null;
}

/** One row of a dispatch's error log. */
export interface DispatchErrorRecord {
  readonly dispatchId: string;
  readonly error: string;
  readonly at: Date;
}
