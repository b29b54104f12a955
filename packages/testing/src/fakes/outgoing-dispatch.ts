import type { CompiledMessage, DispatchRecord, MessageRecord, OutgoingDispatch } from '@sitemsg/core/plugin';

/** What `outgoingDispatch` builds a dispatch from. */
export interface OutgoingDispatchInput {
  readonly id: string;
  /** Its message's id (dispatches of one message share it). Default `<id>-message`. */
  readonly messageId?: string;
  /** The messenger's alias. */
  readonly messenger: string;
  readonly address: string;
  /** The rendered message. Default: `{ text: 'Hello from sitemsg' }`. */
  readonly compiled?: CompiledMessage;
  /** The message type's alias. Default `plain`. */
  readonly type?: string;
  /** Creation time, and the lease's start. Default 2026-03-01T12:00:00Z. */
  readonly now?: Date;
  readonly markReadUrl?: string;
}

/**
 * One dispatch as the engine hands it to `Messenger.send`: claimed (processing, one attempt,
 * leased to `worker-1` for 30 s), rendered, without an unsubscribe link. For a messenger's tests
 * that call `send()` directly.
 */
export function outgoingDispatch(input: OutgoingDispatchInput): OutgoingDispatch {
  const now = input.now ?? new Date('2026-03-01T12:00:00Z');
  const compiled = input.compiled ?? { text: 'Hello from sitemsg' };
  const message: MessageRecord = {
    id: input.messageId ?? `${input.id}-message`,
    type: input.type ?? 'plain',
    context: { text: compiled.text, ...(compiled.subject !== undefined && { subject: compiled.subject }) },
    senderId: null,
    priority: 0,
    dispatchesReady: true,
    createdAt: now,
    sendAt: null,
    idempotencyKey: null,
    groupMark: null,
  };
  const dispatch: DispatchRecord = {
    id: input.id,
    messageId: message.id,
    messenger: input.messenger,
    address: input.address,
    userId: null,
    status: 'processing',
    readStatus: 'unread',
    attempts: 1,
    lastError: null,
    providerMessageId: null,
    receipt: null,
    nextAttemptAt: null,
    leaseOwner: 'worker-1',
    leaseExpiresAt: new Date(now.getTime() + 30_000),
    createdAt: now,
    dispatchedAt: null,
    readAt: null,
  };
  return { dispatch, message, compiled, unsubscribeUrl: '', markReadUrl: input.markReadUrl ?? '' };
}
