import type { JsonObject } from '@sitemsg/core/plugin';
import type { InboxMessage } from '@sitemsg/inbox';

/** The columns every read selects, in `toInboxMessage`'s terms. */
export const COLUMNS = 'id, user_id, title, body, metadata, created_at, read_at';

/** A row of `{prefix}inbox_messages` as the inbox's message. */
export function toInboxMessage(row: Record<string, unknown>): InboxMessage {
  const readAt = row.read_at instanceof Date ? row.read_at : null;
  return {
    id: String(row.id),
    userId: String(row.user_id),
    title: String(row.title),
    body: String(row.body),
    metadata: (row.metadata ?? {}) as JsonObject,
    createdAt: row.created_at as Date,
    read: readAt !== null,
    readAt,
  };
}
