import type { JsonObject, JsonValue } from './json.js';

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
  /** What the provider reported about the sent message (what it costs), when the messenger gave it. */
  readonly receipt: DispatchReceipt | null;
  readonly nextAttemptAt: Date | null;
  readonly leaseOwner: string | null;
  readonly leaseExpiresAt: Date | null;
  readonly createdAt: Date;
  readonly dispatchedAt: Date | null;
  readonly readAt: Date | null;
}

/**
 * What a provider reported about a sent message, kept on its dispatch: what it will cost, in the
 * provider's own units. Small JSON (at most `MAX_RECEIPT_BYTES` serialized: a larger one is not
 * kept). The keys below mean the same for every messenger; any other key is the messenger's own,
 * and its README says what it means.
 */
export interface DispatchReceipt {
  /** Billed parts of the message: SMS segments (GSM-7 160/153 characters, UCS-2 70/67). */
  readonly segments?: number;
  /** The price the provider reported, as a decimal string in `currency`. */
  readonly price?: string;
  /** ISO 4217 code of `price`. */
  readonly currency?: string;
  readonly [key: string]: JsonValue | undefined;
}

/** How large a receipt may be, serialized as JSON, in UTF-8 bytes. */
export const MAX_RECEIPT_BYTES = 1024;

/** A claimed dispatch with its message, as a worker receives it. */
export interface ClaimedDispatch {
  readonly dispatch: DispatchRecord;
  readonly message: MessageRecord;
  /**
   * Optional: the store's answer, taken in the claim itself, to whether the dispatch's address is
   * suppressed for the message's type on its messenger or its medium (as `findSuppressed` answers
   * given the claim's `media`, `'*'` included). Given, it spares the engine the lookup before sending; left out, the engine asks.
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
