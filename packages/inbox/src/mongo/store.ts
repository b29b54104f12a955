import { randomUUID } from 'node:crypto';
import { describeError, type HealthStatus, SitemsgError, StoreError } from '@sitemsg/core/plugin';
import { type Collection, type Filter, MongoClient } from 'mongodb';
import {
  INBOX_STORE_CONTRACT_VERSION,
  type InboxListQuery,
  type InboxMessage,
  type InboxStore,
  type NewInboxMessage,
  type OwnedOutcome,
} from '../types.js';
import { type InboxDoc, toDoc, toMessage } from './documents.js';
import { checkMongoOptions, type MongoInboxStoreConnection, type MongoInboxStoreOptions } from './options.js';

interface Connected {
  readonly client: MongoClient;
  readonly messages: Collection<InboxDoc>;
}

const NEWEST_FIRST = { createdAt: -1, _id: -1 } as const;

/**
 * The inbox on MongoDB through the official driver: one collection, indexed for the bell's page
 * (`userId, createdAt desc, _id desc`), per-user idempotency keys and retention. Every write is a
 * single-document or single-filter operation, so no transaction is needed: owner guards are in the
 * write's filter, and the outcome is read afterwards only to say why nothing changed.
 */
export class MongoInboxStore implements InboxStore {
  readonly inboxStoreContractVersion: typeof INBOX_STORE_CONTRACT_VERSION = INBOX_STORE_CONTRACT_VERSION;
  readonly name: string = 'mongo';
  /** `<collectionPrefix>inbox_messages`. */
  readonly collectionName: string;
  private readonly connection: MongoInboxStoreConnection;
  private ready: Promise<Connected> | null = null;

  constructor(connection: MongoInboxStoreConnection, options: MongoInboxStoreOptions = {}) {
    this.collectionName = checkMongoOptions(connection, options);
    this.connection = connection;
  }

  /** Connects (when given a URL) and creates the indexes. Idempotent; every other method calls it. */
  async init(): Promise<void> {
    await this.connected();
  }

  /**
   * Creates the indexes (identical specs are a no-op on the server, so several processes may run
   * it at once). `init()` runs it once per connection.
   */
  async migrate(): Promise<void> {
    const { messages } = await this.connected();
    await this.call('creating indexes', () => createIndexes(messages));
  }

  /** Closes the client only when the store created it from a URL. */
  async close(): Promise<void> {
    const ready = this.ready;
    this.ready = null;
    if (!ready || 'client' in this.connection) return;
    const connected = await ready.catch(() => null);
    await connected?.client.close();
  }

  async healthCheck(): Promise<HealthStatus> {
    return this.run('probing the collection', async (c) => {
      await c.findOne({}, { projection: { _id: 1 } });
      return { status: 'healthy', detail: `collection ${this.collectionName} answers` };
    });
  }

  insert(message: NewInboxMessage): Promise<{ message: InboxMessage; created: boolean }> {
    return this.run('inserting a message', async (c) => {
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
          '[sitemsg] [inbox] insert conflicted on the idempotency key but found no message; retry the send.',
        );
      }
      return { message: toMessage(existing), created: false };
    });
  }

  get(id: string): Promise<InboxMessage | null> {
    return this.run('reading a message', async (c) => {
      const doc = await c.findOne({ _id: id });
      return doc ? toMessage(doc) : null;
    });
  }

  list(query: InboxListQuery): Promise<InboxMessage[]> {
    // A limit of 0 means "no limit" to MongoDB.
    if (query.limit <= 0) return Promise.resolve([]);
    return this.run('listing messages', async (c) => {
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
    return this.run('marking a message read', async (c) => {
      const { modifiedCount } = await c.updateOne(
        { _id: id, userId, readAt: null },
        { $set: { readAt: now } },
      );
      return modifiedCount > 0 ? 'changed' : whyUnchanged(c, id, userId);
    });
  }

  markAllRead(userId: string, now: Date): Promise<string[]> {
    return this.run('marking all messages read', async (c) => {
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
    return this.run('deleting a message', async (c) => {
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
    return this.run('counting unread messages', (c) => c.countDocuments({ userId, readAt: null }));
  }

  clearAll(userId: string): Promise<number> {
    return this.run('clearing an inbox', async (c) => (await c.deleteMany({ userId })).deletedCount);
  }

  deleteOlderThan(before: Date): Promise<number> {
    return this.run('pruning old messages', async (c) => {
      return (await c.deleteMany({ createdAt: { $lt: before } })).deletedCount;
    });
  }

  private async run<T>(what: string, work: (messages: Collection<InboxDoc>) => Promise<T>): Promise<T> {
    const { messages } = await this.connected();
    return this.call(what, () => work(messages));
  }

  private connected(): Promise<Connected> {
    this.ready ??= this.call('connecting and creating indexes', () => this.open()).catch((error: unknown) => {
      this.ready = null;
      throw error;
    });
    return this.ready;
  }

  private async open(): Promise<Connected> {
    const own = !('client' in this.connection);
    const client =
      'client' in this.connection ? this.connection.client : new MongoClient(this.connection.url);
    try {
      if (own) await client.connect();
      const messages = client.db(this.connection.dbName).collection<InboxDoc>(this.collectionName);
      await createIndexes(messages);
      return { client, messages };
    } catch (error) {
      if (own) await client.close().catch(() => undefined);
      throw error;
    }
  }

  /** Driver failures become StoreErrors saying what was being done; the connection string never appears. */
  private async call<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (SitemsgError.isInstance(error)) throw error;
      throw new StoreError(
        `[sitemsg] [inbox] ${what} on MongoDB failed: ${describeError(error)}. Check that MongoDB is reachable.`,
        { cause: error },
      );
    }
  }
}

/** The indexes `migrate()` creates, by name. */
async function createIndexes(messages: Collection<InboxDoc>): Promise<void> {
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

/** Why an owner-filtered write matched nothing: the message is gone, someone else's, or already so. */
async function whyUnchanged(c: Collection<InboxDoc>, id: string, userId: string): Promise<OwnedOutcome> {
  const doc = await c.findOne({ _id: id }, { projection: { userId: 1 } });
  if (!doc) return 'not-found';
  return doc.userId === userId ? 'unchanged' : 'forbidden';
}

/** E11000 from insertOne (a MongoServerError, or a write error inside a bulk error). */
function isDuplicateKey(error: unknown): boolean {
  const field = (value: unknown, name: string): unknown =>
    typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
  if (field(error, 'code') === 11000) return true;
  const writeErrors = field(error, 'writeErrors');
  return Array.isArray(writeErrors) && writeErrors.some((e) => field(e, 'code') === 11000);
}
