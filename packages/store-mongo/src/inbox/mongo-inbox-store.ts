import { randomUUID } from 'node:crypto';
import { type HealthStatus, StoreError } from '@sitemsg/core/plugin';
import {
  INBOX_STORE_CONTRACT_VERSION,
  type InboxListQuery,
  type InboxMessage,
  type InboxStore,
  type NewInboxMessage,
  type OwnedOutcome,
} from '@sitemsg/inbox';
import type { Collection, Filter } from 'mongodb';
import { MongoConnection } from '../connection.js';
import { isDuplicateKey, storeCall } from '../errors.js';
import {
  checkConnection,
  checkOptions,
  checkPrefix,
  DEFAULT_PREFIX,
  type MongoStoreConnection,
  type MongoStoreOptions,
} from '../options.js';
import { type InboxDoc, toDoc, toMessage } from './documents.js';
import { migrateInbox } from './migrations.js';

const NEWEST_FIRST = { createdAt: -1, _id: -1 } as const;

/**
 * The inbox (`@sitemsg/inbox`) on MongoDB: one collection `{prefix}inbox_messages`, beside the
 * store's own if you like, indexed for the bell's page (`userId, createdAt desc, _id desc`),
 * per-user idempotency keys and retention. Every write is a single-document or single-filter
 * operation, so no transaction is needed: owner guards are in the write's filter, and the
 * outcome is read afterwards only to say why nothing changed.
 */
export class MongoInboxStore implements InboxStore {
  readonly inboxStoreContractVersion: typeof INBOX_STORE_CONTRACT_VERSION = INBOX_STORE_CONTRACT_VERSION;
  readonly name: string = 'mongo';
  /** `<collectionPrefix>inbox_messages`. */
  readonly collectionName: string;
  private readonly connection: MongoConnection<Collection<InboxDoc>>;

  /** Takes the connection and options `MongoStore` takes (`collectionPrefix`, default `sitemsg_`). */
  constructor(connection: MongoStoreConnection, options: MongoStoreOptions = {}) {
    checkConnection(connection, 'MongoInboxStore');
    checkOptions(options, 'MongoInboxStore');
    this.collectionName = `${checkPrefix(options.collectionPrefix ?? DEFAULT_PREFIX)}inbox_messages`;
    this.connection = new MongoConnection(connection, async (_client, db) => {
      const messages = db.collection<InboxDoc>(this.collectionName);
      await migrateInbox(messages);
      return messages;
    });
  }

  /** Connects (when given a URL) and creates the indexes. Idempotent; every other method calls it. */
  async init(): Promise<void> {
    await this.connection.get();
  }

  /**
   * Creates the indexes (identical specs are a no-op on the server, so several processes may run
   * it at once). `init()` runs it once per connection.
   */
  async migrate(): Promise<void> {
    const messages = await this.connection.get();
    await storeCall('creating the inbox indexes', () => migrateInbox(messages));
  }

  /** Closes the client only when the store created it from a URL. */
  close(): Promise<void> {
    return this.connection.close();
  }

  async healthCheck(): Promise<HealthStatus> {
    return this.run('probing the inbox collection', async (c) => {
      await c.findOne({}, { projection: { _id: 1 } });
      return { status: 'healthy', detail: `collection ${this.collectionName} answers` };
    });
  }

  insert(message: NewInboxMessage): Promise<{ message: InboxMessage; created: boolean }> {
    return this.run('inserting an inbox message', async (c) => {
      const doc = toDoc(message);
      try {
        await c.insertOne(doc);
        return { message: toMessage(doc), created: true };
      } catch (error) {
        if (message.idempotencyKey === null || !isDuplicateKey(error)) throw error;
      }
      const existing = await c.findOne({ userId: message.userId, idempotencyKey: message.idempotencyKey });
      if (!existing) {
        throw new StoreError(
          '[sitemsg] [mongo] inbox insert conflicted on the idempotency key but found no message holding it (deleted meanwhile): retry the send.',
        );
      }
      return { message: toMessage(existing), created: false };
    });
  }

  get(id: string): Promise<InboxMessage | null> {
    return this.run('reading an inbox message', async (c) => {
      const doc = await c.findOne({ _id: id });
      return doc ? toMessage(doc) : null;
    });
  }

  list(query: InboxListQuery): Promise<InboxMessage[]> {
    // A limit of 0 means "no limit" to MongoDB.
    if (query.limit <= 0) return Promise.resolve([]);
    return this.run('listing inbox messages', async (c) => {
      const before = query.before;
      const filter: Filter<InboxDoc> = {
        userId: query.userId,
        ...(query.unreadOnly && { readAt: null }),
        ...(before && {
          $or: [
            { createdAt: { $lt: before.createdAt } },
            { createdAt: before.createdAt, _id: { $lt: before.id } },
          ],
        }),
      };
      const docs = await c.find(filter).sort(NEWEST_FIRST).limit(query.limit).toArray();
      return docs.map(toMessage);
    });
  }

  markRead(id: string, userId: string, now: Date): Promise<OwnedOutcome> {
    return this.run('marking an inbox message read', async (c) => {
      const { modifiedCount } = await c.updateOne(
        { _id: id, userId, readAt: null },
        { $set: { readAt: now } },
      );
      return modifiedCount > 0 ? 'changed' : whyUnchanged(c, id, userId);
    });
  }

  markAllRead(userId: string, now: Date): Promise<string[]> {
    return this.run('marking all inbox messages read', async (c) => {
      const readToken = randomUUID();
      const { modifiedCount } = await c.updateMany(
        { userId, readAt: null },
        { $set: { readAt: now, readToken } },
      );
      if (modifiedCount === 0) return [];
      // Each document's update is atomic: what carries the token is what this call changed.
      const docs = await c
        .find({ userId, readToken }, { projection: { _id: 1 } })
        .sort({ createdAt: 1, _id: 1 })
        .toArray();
      return docs.map((doc) => doc._id);
    });
  }

  delete(id: string, userId: string): Promise<OwnedOutcome> {
    return this.run('deleting an inbox message', async (c) => {
      for (;;) {
        const { deletedCount } = await c.deleteOne({ _id: id, userId });
        if (deletedCount > 0) return 'changed';
        const outcome = await whyUnchanged(c, id, userId);
        // "unchanged" means the user's message appeared after the delete looked: delete it again.
        if (outcome !== 'unchanged') return outcome;
      }
    });
  }

  countUnread(userId: string): Promise<number> {
    return this.run('counting unread inbox messages', (c) => c.countDocuments({ userId, readAt: null }));
  }

  clearAll(userId: string): Promise<number> {
    return this.run('clearing an inbox', async (c) => (await c.deleteMany({ userId })).deletedCount);
  }

  deleteOlderThan(before: Date): Promise<number> {
    return this.run('pruning old inbox messages', async (c) => {
      return (await c.deleteMany({ createdAt: { $lt: before } })).deletedCount;
    });
  }

  private async run<T>(what: string, work: (messages: Collection<InboxDoc>) => Promise<T>): Promise<T> {
    const messages = await this.connection.get();
    return storeCall(what, () => work(messages));
  }
}

/** Why an owner-filtered write matched nothing: the message is gone, someone else's, or already so. */
async function whyUnchanged(c: Collection<InboxDoc>, id: string, userId: string): Promise<OwnedOutcome> {
  const doc = await c.findOne({ _id: id }, { projection: { userId: 1 } });
  if (!doc) return 'not-found';
  return doc.userId === userId ? 'unchanged' : 'forbidden';
}
