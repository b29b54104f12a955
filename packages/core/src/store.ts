import { ConfigurationError, describeError, StoreError, ValidationError } from './errors.js';
import type { FeedbackRecord } from './feedback.js';
import type { HealthStatus } from './health.js';
import type { JsonObject } from './json.js';
import type {
  ClaimedDispatch,
  DispatchErrorRecord,
  DispatchReceipt,
  DispatchRecord,
  DispatchStatus,
  MessageRecord,
  Subscription,
} from './types.js';

/**
 * Bumped when the Store contract changes incompatibly; the engine refuses a store built for another.
 * 2: `scheduleMany` (several messages in one atomic write); delivery feedback (provider message
 * ids kept on sent dispatches, `findDispatchByProviderId`, `addFeedback`, `listFeedback`,
 * suppressions of every message type `'*'`, `removeSuppressions`).
 * 3: sent outcomes carry an optional `receipt` kept on the dispatch (`DispatchRecord.receipt`);
 * medium-wide suppressions (messenger `'*'`, `ALL_MESSENGERS`, with a `medium`) honoured by
 * `findSuppressed`, `schedule` and `claim` through the messengers' media (`MessengerMedia`), and
 * lifted by `removeSuppressions`.
 */
export const STORE_CONTRACT_VERSION = 3 as const;

/**
 * The medium of each messenger that declares one (`{ twilio: 'sms', vonage: 'sms' }`), by alias:
 * a medium-wide suppression holds on every messenger of its medium. The engine passes it with
 * every request a suppression answer depends on; a messenger without a medium is left out.
 */
export type MessengerMedia = Readonly<Record<string, string>>;

export interface NewMessage {
  readonly type: string;
  readonly context: JsonObject;
  readonly senderId: string | null;
  readonly priority: number;
  readonly sendAt: Date | null;
  readonly idempotencyKey: string | null;
  readonly groupMark: string | null;
  /** False: the message waits for `prepareDispatches()` (no recipients were given). */
  readonly dispatchesReady: boolean;
}

export interface NewDispatch {
  readonly messenger: string;
  readonly address: string;
  readonly userId: string | null;
}

export interface ScheduleRequest {
  readonly message: NewMessage;
  readonly dispatches: readonly NewDispatch[];
  /**
   * For a message type with a group mark: given the context of a pending message of the same type
   * and mark, returns the merged context. The store then joins the new message into that one
   * (adding dispatches for new addresses) instead of creating a second message.
   */
  readonly merge?: (existing: JsonObject) => JsonObject;
  readonly now: Date;
  /** For a store that filters suppressed addresses on schedule: the messengers' media. */
  readonly media?: MessengerMedia;
}

export interface ScheduleResult {
  readonly message: MessageRecord;
  /** The dispatches this call created (none for a duplicate idempotency key). */
  readonly dispatches: readonly DispatchRecord[];
  /** `created` a new message, `grouped` into a pending one, or `duplicate` of an earlier idempotency key. */
  readonly outcome: 'created' | 'grouped' | 'duplicate';
}

/** Store-specific scheduling options, passed through from `scheduleMessages(..., options)`. */
export interface StoreScheduleOptions {
  /** The application's own transaction handle (e.g. a `pg.PoolClient` inside BEGIN), for a transactional outbox. */
  readonly client?: unknown;
}

export interface ClaimRequest {
  /** The worker's id: the lease owner every later write is fenced by. */
  readonly owner: string;
  readonly limit: number;
  readonly now: Date;
  readonly leaseMs: number;
  /** Only dispatches of messages with exactly this priority. */
  readonly priority?: number;
  /** Only dispatches on these messengers (used to leave unknown messengers untouched). */
  readonly messengers?: readonly string[];
  /** Only dispatches of messages of these types. */
  readonly messageTypes?: readonly string[];
  /** For a store that answers `ClaimedDispatch.suppressed`: the messengers' media. */
  readonly media?: MessengerMedia;
}

/** What a worker reports for one dispatch it holds. The engine has already applied retry limits. */
export type CompletionOutcome =
  | {
      readonly dispatchId: string;
      readonly status: 'sent';
      /** The provider's id for the sent message: kept on the dispatch, so feedback can find it. */
      readonly providerMessageId?: string;
      /** What the provider reported (what it costs): kept on the dispatch as `receipt`. */
      readonly receipt?: DispatchReceipt;
    }
  | {
      readonly dispatchId: string;
      readonly status: 'error';
      readonly error: string;
      readonly nextAttemptAt: Date;
    }
  | { readonly dispatchId: string; readonly status: 'failed'; readonly error: string };

export interface SubscriptionFilter {
  readonly messageType?: string;
  readonly messenger?: string;
  readonly userId?: string;
  readonly address?: string;
}

/**
 * An address that must not be sent a message type (`'*'`: any) on a messenger — or, with messenger
 * `'*'` (`ALL_MESSENGERS`) and a `medium`, on every messenger of that medium, whenever registered.
 */
export interface Suppression {
  readonly messageType: string;
  readonly messenger: string;
  readonly address: string;
  /** Only with messenger `'*'`: the medium (`sms`) whose every messenger it holds on. */
  readonly medium?: string;
}

/** Which suppressions `removeSuppressions` lifts. */
export interface SuppressionFilter {
  /** A messenger's alias, or `'*'` with `medium` for the medium-wide ones. */
  readonly messenger: string;
  readonly address: string;
  /** One type; left out, every kind. */
  readonly messageType?: string;
  /** With messenger `'*'`: the medium. */
  readonly medium?: string;
}

export interface CleanupRequest {
  /** Only sent dispatches created before this time; `null` for all sent dispatches. */
  readonly before: Date | null;
  /** Keep the messages (only delete dispatches). */
  readonly dispatchesOnly: boolean;
}

export interface CleanupResult {
  readonly dispatches: number;
  readonly messages: number;
}

export type DispatchCounts = Record<DispatchStatus, number>;

/**
 * Persistence for messages, dispatches, their error log, subscriptions and suppressions. Every
 * store passes `@sitemsg/testing`'s store suite. Stores are dumb on purpose: the engine decides
 * retries, back-off and statuses; the store writes them atomically and fences them by lease owner.
 */
export interface Store {
  readonly storeContractVersion: typeof STORE_CONTRACT_VERSION;
  /** A short name for logs and health checks (`memory`, `postgres`). */
  readonly name: string;
  /** Connects and migrates; called by the engine's `init()`. Idempotent. */
  init?(): Promise<void>;
  /** Releases what the store itself created (never a pool or client the application passed in). */
  close?(): Promise<void>;
  healthCheck?(): Promise<HealthStatus>;

  /**
   * Resolves when new work may be due (e.g. a NOTIFY) or after `timeoutMs`, or when `signal`
   * aborts. Stores without a wake-up channel leave it out and the worker polls.
   */
  waitForWork?(timeoutMs: number, signal: AbortSignal): Promise<void>;

  /**
   * Set by a store whose `schedule()` itself leaves out every dispatch whose address is suppressed
   * for the message type on its messenger or its medium (as `findSuppressed` reports, given the
   * request's `media`), in the same atomic write,
   * and returns only the dispatches it wrote. The engine then skips its own lookup before
   * scheduling: one round trip less per message. Stores without it get the lookup.
   */
  readonly filtersSuppressedOnSchedule?: boolean;

  /** Writes a message and its dispatches atomically (or groups / de-duplicates it). */
  schedule(request: ScheduleRequest, options?: StoreScheduleOptions): Promise<ScheduleResult>;
  /**
   * Writes several messages as `schedule` would, one after the other, in ONE atomic write: when
   * any of them cannot be written, none is (and the error says which). Results come in request
   * order. The engine uses it when one `scheduleMessages()` call holds more than one message, so a
   * caller that retries a failed call never duplicates the messages that came before the failure.
   */
  scheduleMany(
    requests: readonly ScheduleRequest[],
    options?: StoreScheduleOptions,
  ): Promise<ScheduleResult[]>;
  /** Messages still waiting for `prepareDispatches()`, oldest first. */
  listPostponedMessages(limit: number): Promise<MessageRecord[]>;
  /** Adds dispatches to a postponed message and marks it ready, atomically. */
  addDispatches(messageId: string, dispatches: readonly NewDispatch[], now: Date): Promise<DispatchRecord[]>;

  /**
   * Claims up to `limit` due dispatches (pending, error past its next attempt, or processing with
   * an expired lease), highest priority first then oldest, counting one attempt each and leasing
   * them to `owner` until `now + leaseMs`. Two concurrent claims never return the same dispatch.
   */
  claim(request: ClaimRequest): Promise<ClaimedDispatch[]>;
  /** Extends the leases `owner` still holds; returns how many it still held. */
  renewLeases(owner: string, dispatchIds: readonly string[], until: Date): Promise<number>;
  /** Writes a batch of outcomes, only for dispatches `owner` still holds; returns how many were written. */
  complete(owner: string, outcomes: readonly CompletionOutcome[], now: Date): Promise<number>;

  getMessage(id: string): Promise<MessageRecord | null>;
  getDispatch(id: string): Promise<DispatchRecord | null>;
  listDispatches(filter: { messageId?: string; status?: DispatchStatus }): Promise<DispatchRecord[]>;
  countDispatches(): Promise<DispatchCounts>;
  listDispatchErrors(dispatchId: string): Promise<DispatchErrorRecord[]>;
  /** Marks a dispatch read; false when it does not exist or was already read. */
  markRead(dispatchId: string, now: Date): Promise<boolean>;
  cleanup(request: CleanupRequest): Promise<CleanupResult>;

  listSubscriptions(filter: SubscriptionFilter): Promise<Subscription[]>;
  /** Adds a subscription; false when it already existed. */
  addSubscription(subscription: Subscription): Promise<boolean>;
  /** Removes matching subscriptions (messageType and messenger are required); returns how many. */
  removeSubscriptions(
    filter: SubscriptionFilter & { messageType: string; messenger: string },
  ): Promise<number>;
  /**
   * Replaces a user's subscriptions for the (type, messenger) pairs in `scope` with `selected`,
   * atomically: pairs outside `scope` are left alone.
   */
  replaceUserSubscriptions(
    userId: string,
    scope: readonly { messageType: string; messenger: string }[],
    selected: readonly Subscription[],
  ): Promise<void>;

  /**
   * Suppresses an address for a message type on a messenger (`messageType` `'*'`,
   * `ALL_MESSAGE_TYPES`: for every type, as feedback does), or on every messenger of a medium
   * (messenger `'*'` with `medium`); false when it already was.
   */
  addSuppression(suppression: Suppression): Promise<boolean>;
  /**
   * Of the given addresses on messengers, those suppressed for this message type: by a
   * suppression of this type or of every type (`'*'`), on that messenger or on every messenger of
   * its medium (`media`). One entry per suppressed recipient, in the recipients' order, as stored
   * (the type's own before `'*'`, the messenger's own before the medium's). A store that filters
   * on schedule or claim applies the same rule.
   */
  findSuppressed(
    messageType: string,
    recipients: readonly { messenger: string; address: string }[],
    media?: MessengerMedia,
  ): Promise<Suppression[]>;
  /** Lifts suppressions of an address (of one type, or of every kind when left out); returns how many. */
  removeSuppressions(filter: SuppressionFilter): Promise<number>;

  /** The dispatch sent through `messenger` whose outcome carried this provider message id (indexed). */
  findDispatchByProviderId(messenger: string, providerMessageId: string): Promise<DispatchRecord | null>;
  /**
   * Keeps a piece of feedback on its dispatch; false (and nothing written) when the dispatch
   * already has feedback with the same non-null `eventId`: a provider's redelivery is recorded
   * once. A dispatch that does not exist is a ValidationError `UNKNOWN_DISPATCH`, nothing kept.
   */
  addFeedback(feedback: FeedbackRecord): Promise<boolean>;
  /** A dispatch's feedback, oldest first. */
  listFeedback(dispatchId: string): Promise<FeedbackRecord[]>;
}

/**
 * The error a store's `scheduleMany` throws when request `index` could not be written (and so
 * none was): the original error's class and code, its text prefixed with which message it was.
 */
export function scheduleManyError(
  store: string,
  index: number,
  requests: readonly ScheduleRequest[],
  error: unknown,
): Error {
  const which = `message ${index + 1} of ${requests.length} (type "${requests[index]?.message.type}")`;
  const text = `[sitemsg] [${store}] ${which} could not be written, so none of the ${requests.length} was: ${describeError(error)}`;
  // The caller acts on the class (fix the input, fix the setup, retry later): keep it.
  if (ValidationError.isInstance(error)) return new ValidationError(text, { code: error.code, cause: error });
  if (ConfigurationError.isInstance(error)) return new ConfigurationError(text, { cause: error });
  return new StoreError(text, { cause: error });
}
