import type { Collection } from 'mongodb';
import type { InboxDoc } from './documents.js';

/**
 * Creates the inbox collection's indexes, by name. Idempotent, and safe when several processes run
 * it at once (createIndexes with an identical spec is a no-op on the server), as the store's own.
 */
export async function migrateInbox(messages: Collection<InboxDoc>): Promise<void> {
  await messages.createIndexes([
    // The bell: a user's page newest first (the id breaks ties), and the unread count.
    { key: { userId: 1, createdAt: -1, _id: -1 }, name: 'sitemsg_inbox_user_created' },
    // At most one message per user and idempotency key (the inbox messenger uses the dispatch id).
    {
      key: { userId: 1, idempotencyKey: 1 },
      name: 'sitemsg_inbox_user_key',
      unique: true,
      partialFilterExpression: { idempotencyKey: { $type: 'string' } },
    },
    // Retention: pruneOlderThan() deletes by age across all users.
    { key: { createdAt: 1 }, name: 'sitemsg_inbox_created' },
  ]);
}
