import type {
  BounceType,
  DispatchErrorRecord,
  DispatchReceipt,
  DispatchRecord,
  DispatchStatus,
  FeedbackKind,
  FeedbackRecord,
  JsonObject,
  MessageRecord,
  ReadStatus,
  ScheduleRequest,
} from '@sitemsg/core/plugin';

/**
 * A stored message. Ids are numbers from one counter shared with dispatches, so `_id` order is
 * creation order; the API exposes them as decimal strings.
 */
export interface MessageDoc {
  _id: number;
  type: string;
  /** The context as JSON text: BSON would turn `$ref`/`$id` keys into DBRefs and refuses some `$` keys. */
  context: string;
  senderId: string | null;
  priority: number;
  dispatchesReady: boolean;
  createdAt: Date;
  sendAt: Date | null;
  idempotencyKey: string | null;
  groupMark: string | null;
  /** Bumped by every context merge and when the group closes: grouping writes compare it (CAS). */
  version: number;
  /** Present while new messages may still be grouped into this one (none of its dispatches claimed). */
  groupOpen?: true;
  /** The stage token of dispatches committed to this message but not yet made claimable. */
  staging?: string;
  /**
   * The `scheduleMany` call (its batch record) that created this message or merged into it and
   * has not decided yet: nobody else joins, prepares or rolls forward the message meanwhile.
   */
  batch?: string;
  /** Created by that undecided call: invisible to every read until the call commits. */
  batchNew?: true;
  /** On a group that call merged into: the context to put back if the call rolls back. */
  batchUndo?: string;
}

/**
 * One `scheduleMany` call without transactions. Its single-document state change from `writing`
 * to `committed` (or `aborted`) is the call's commit point; see batch.ts.
 */
export interface BatchDoc {
  _id: string;
  state: 'writing' | 'committed' | 'aborted';
  /** Wall-clock start, for telling a crashed call from a running one. */
  startedAt: Date;
}

export interface DispatchDoc {
  _id: number;
  messageId: number;
  messenger: string;
  address: string;
  userId: string | null;
  status: DispatchStatus;
  readStatus: ReadStatus;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: Date | null;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  createdAt: Date;
  dispatchedAt: Date | null;
  readAt: Date | null;
  /**
   * The provider's id for the sent message, written by the completion of a `sent` outcome that
   * carried one. Absent otherwise (never null, so the partial index holds only real ids), and on
   * documents written before store contract 2.
   */
  providerMessageId?: string;
  /**
   * What the provider reported for the sent message (`DispatchRecord.receipt`), as JSON text (as
   * contexts are: a key with `.` or `$` needs no escaping). Absent when there is none.
   */
  receipt?: string;
  /** Copied from the message, so the claim needs no join. */
  priority: number;
  type: string;
  /** The message has a group mark: claiming it closes the group. */
  grouped: boolean;
  /**
   * When the dispatch can next be claimed; set if and only if it is claimable at some time
   * (pending: its send-at, error: its next attempt, processing: its lease expiry).
   */
  due?: Date;
  /** The stage token while the dispatch is written but not yet committed: invisible to everything. */
  staged?: string;
  stagedAt?: Date;
  claimToken?: string;
  /** The error log, newest last (capped). */
  errors?: { error: string; at: Date }[];
}

export interface SubscriptionDoc {
  messageType: string;
  messenger: string;
  userId: string | null;
  address: string | null;
  /** `u:<userId>` or `a:<address>`: the unique key besides type and messenger. */
  subscriber: string;
}

export interface SuppressionDoc {
  messageType: string;
  messenger: string;
  address: string;
}

/**
 * One piece of delivery feedback, in its own collection rather than an array in the dispatch: a
 * dispatch can collect feedback without bound (opens, reads, a provider's redeliveries), and the
 * per-event de-duplication needs every event id kept, which a capped array would forget.
 */
export interface FeedbackDoc {
  // `_id` is the driver's ObjectId: it breaks ties between feedback of one time, in insertion order.
  /** The API's dispatch id as given (a string), so feedback for any id is kept as the memory store keeps it. */
  dispatchId: string;
  kind: FeedbackKind;
  bounce: BounceType | null;
  providerCode: string | null;
  detail: string | null;
  /** Absent (not null) without a provider event id: the unique index is partial on its existence. */
  eventId?: string;
  at: Date;
}

/** Dispatch reads never carry the error log or internal fields over the wire. */
export const DISPATCH_PROJECTION = { errors: 0, claimToken: 0, staged: 0, stagedAt: 0 } as const;

/** Until the claim date, dispatches of a message with a send-at wait for it. */
const EPOCH = new Date(0);

/** When a message's dispatches become claimable once committed: its send-at, or at once. */
export function dueFor(message: Pick<MessageDoc, 'sendAt'>): Date {
  return message.sendAt ?? EPOCH;
}

/** Visible dispatches: committed ones only. */
export const COMMITTED = { staged: { $exists: false } } as const;

/** Visible messages: all but those an undecided `scheduleMany` call created. */
export const VISIBLE = { batchNew: { $exists: false } } as const;

/** Messages no undecided `scheduleMany` call holds: the only ones others may join or prepare. */
export const UNHELD = { batch: { $exists: false } } as const;

/** A new message document (version 0, open for grouping when it has a group mark). */
export function newMessageDoc(request: ScheduleRequest, id: number): MessageDoc {
  const { message, now } = request;
  return {
    _id: id,
    type: message.type,
    context: JSON.stringify(message.context),
    senderId: message.senderId,
    priority: message.priority,
    dispatchesReady: message.dispatchesReady,
    createdAt: now,
    sendAt: message.sendAt,
    idempotencyKey: message.idempotencyKey,
    groupMark: message.groupMark,
    version: 0,
    ...(message.groupMark !== null && { groupOpen: true as const }),
  };
}

/** Parses an API id; anything that is not one of ours matches nothing. */
export function parseId(id: string): number | null {
  if (!/^[1-9]\d{0,15}$/.test(id)) return null;
  const n = Number(id);
  return Number.isSafeInteger(n) ? n : null;
}

export function toMessageRecord(doc: MessageDoc): MessageRecord {
  return {
    id: String(doc._id),
    type: doc.type,
    context: JSON.parse(doc.context) as JsonObject,
    senderId: doc.senderId,
    priority: doc.priority,
    dispatchesReady: doc.dispatchesReady,
    createdAt: doc.createdAt,
    sendAt: doc.sendAt,
    idempotencyKey: doc.idempotencyKey,
    groupMark: doc.groupMark,
  };
}

export function toDispatchRecord(doc: DispatchDoc): DispatchRecord {
  return {
    id: String(doc._id),
    messageId: String(doc.messageId),
    messenger: doc.messenger,
    address: doc.address,
    userId: doc.userId,
    status: doc.status,
    readStatus: doc.readStatus,
    attempts: doc.attempts,
    lastError: doc.lastError,
    nextAttemptAt: doc.nextAttemptAt,
    leaseOwner: doc.leaseOwner,
    leaseExpiresAt: doc.leaseExpiresAt,
    createdAt: doc.createdAt,
    dispatchedAt: doc.dispatchedAt,
    readAt: doc.readAt,
    // Documents written before store contract 2 have no such field.
    providerMessageId: doc.providerMessageId ?? null,
    receipt: doc.receipt === undefined ? null : (JSON.parse(doc.receipt) as DispatchReceipt),
  };
}

export function toFeedbackDoc(record: FeedbackRecord): FeedbackDoc {
  return {
    dispatchId: record.dispatchId,
    kind: record.kind,
    bounce: record.bounce,
    providerCode: record.providerCode,
    detail: record.detail,
    ...(record.eventId !== null && { eventId: record.eventId }),
    at: record.at,
  };
}

export function toFeedbackRecord(doc: FeedbackDoc): FeedbackRecord {
  return {
    dispatchId: doc.dispatchId,
    kind: doc.kind,
    bounce: doc.bounce,
    providerCode: doc.providerCode,
    detail: doc.detail,
    eventId: doc.eventId ?? null,
    at: doc.at,
  };
}

export function toErrorRecords(doc: Pick<DispatchDoc, '_id' | 'errors'>): DispatchErrorRecord[] {
  return (doc.errors ?? []).map((e) => ({ dispatchId: String(doc._id), error: e.error, at: e.at }));
}
