import type {
  DispatchReceipt,
  DispatchRecord,
  DispatchStatus,
  JsonObject,
  MessageRecord,
  NewDispatch,
  NewMessage,
  ReadStatus,
} from '@sitemsg/core/plugin';

/** The columns read back for records: internal ones (due_at, the copied priority and type) stay inside. */
export const MESSAGE_COLUMNS =
  'id, type, context, sender_id, priority, dispatches_ready, created_at, send_at, idempotency_key, group_mark';
export const DISPATCH_COLUMNS =
  'id, message_id, messenger, address, user_id, status, read_status, attempts, last_error, provider_message_id, receipt, next_attempt_at, lease_owner, lease_expires_at, created_at, dispatched_at, read_at';

export interface MessageRow {
  id: string;
  type: string;
  context: JsonObject;
  sender_id: string | null;
  priority: number;
  dispatches_ready: boolean;
  created_at: Date;
  send_at: Date | null;
  idempotency_key: string | null;
  group_mark: string | null;
}

export interface DispatchRow {
  id: string;
  message_id: string;
  messenger: string;
  address: string;
  user_id: string | null;
  status: DispatchStatus;
  read_status: ReadStatus;
  attempts: number;
  last_error: string | null;
  provider_message_id: string | null;
  receipt: DispatchReceipt | null;
  next_attempt_at: Date | null;
  lease_owner: string | null;
  lease_expires_at: Date | null;
  created_at: Date;
  dispatched_at: Date | null;
  read_at: Date | null;
}

export function toMessage(row: MessageRow): MessageRecord {
  return {
    id: row.id,
    type: row.type,
    context: row.context,
    senderId: row.sender_id,
    priority: row.priority,
    dispatchesReady: row.dispatches_ready,
    createdAt: row.created_at,
    sendAt: row.send_at,
    idempotencyKey: row.idempotency_key,
    groupMark: row.group_mark,
  };
}

export function toDispatch(row: DispatchRow): DispatchRecord {
  return {
    id: row.id,
    messageId: row.message_id,
    messenger: row.messenger,
    address: row.address,
    userId: row.user_id,
    status: row.status,
    readStatus: row.read_status,
    attempts: row.attempts,
    lastError: row.last_error,
    providerMessageId: row.provider_message_id,
    receipt: row.receipt,
    nextAttemptAt: row.next_attempt_at,
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at,
    createdAt: row.created_at,
    dispatchedAt: row.dispatched_at,
    readAt: row.read_at,
  };
}

/** A message as it was just inserted: everything is known but its id, so no read-back is needed. */
export function newMessageRecord(id: string, message: NewMessage, now: Date): MessageRecord {
  return {
    id,
    type: message.type,
    context: structuredClone(message.context),
    senderId: message.senderId,
    priority: message.priority,
    dispatchesReady: message.dispatchesReady,
    createdAt: now,
    sendAt: message.sendAt,
    idempotencyKey: message.idempotencyKey,
    groupMark: message.groupMark,
  };
}

/** Fresh dispatches as inserted (pending, no attempt yet), in the order they were given. */
export function newDispatchRecords(
  messageId: string,
  ids: readonly string[],
  dispatches: readonly NewDispatch[],
  now: Date,
): DispatchRecord[] {
  return dispatches.map((d, i) => ({
    id: ids[i]!,
    messageId,
    messenger: d.messenger,
    address: d.address,
    userId: d.userId,
    status: 'pending',
    readStatus: 'unread',
    attempts: 0,
    lastError: null,
    providerMessageId: null,
    receipt: null,
    nextAttemptAt: null,
    leaseOwner: null,
    leaseExpiresAt: null,
    createdAt: now,
    dispatchedAt: null,
    readAt: null,
  }));
}
