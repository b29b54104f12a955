import type { JsonObject } from '@sitemsg/core/plugin';
import type { InboxMessage, NewInboxMessage } from '@sitemsg/inbox';

/** One inbox message as stored: the message id is `_id`. */
export interface InboxDoc {
  readonly _id: string;
  readonly userId: string;
  readonly title: string;
  readonly body: string;
  /**
   * JSON text, not a sub-document: BSON turns `{ $ref, $id }` into a DBRef and the server refuses
   * some `$`-prefixed and dotted keys, while metadata is the application's to shape.
   */
  readonly metadata: string;
  readonly createdAt: Date;
  readonly readAt: Date | null;
  /** Absent when the message has none, which keeps it out of the partial unique index. */
  readonly idempotencyKey?: string;
  /** Stamped by `markAllRead` so that it can read back exactly the messages it changed. */
  readonly readToken?: string;
}

/** A new message as its document. */
export function toDoc(message: NewInboxMessage): InboxDoc {
  return {
    _id: message.id,
    userId: message.userId,
    title: message.title,
    body: message.body,
    metadata: JSON.stringify(message.metadata),
    createdAt: new Date(message.createdAt),
    readAt: null,
    ...(message.idempotencyKey !== null && { idempotencyKey: message.idempotencyKey }),
  };
}

/** A document as the inbox message it stores. */
export function toMessage(doc: InboxDoc): InboxMessage {
  const readAt = doc.readAt ?? null;
  return {
    id: doc._id,
    userId: doc.userId,
    title: doc.title,
    body: doc.body,
    metadata: JSON.parse(doc.metadata) as JsonObject,
    createdAt: new Date(doc.createdAt),
    read: readAt !== null,
    readAt: readAt === null ? null : new Date(readAt),
  };
}
