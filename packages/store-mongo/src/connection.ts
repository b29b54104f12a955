import { type Db, MongoClient } from 'mongodb';
import { storeCall } from './errors.js';
import type { MongoStoreConnection } from './options.js';

/**
 * A store's hold on MongoDB, from its connection argument: the application's client, which the
 * store never closes, or one it connects from a URL on first use and closes on `close()`.
 * `prepare` runs once per connection (indexes, repairs) and its result is what every operation
 * gets; a failed connection or preparation is retried by the next call. `MongoStore` and
 * `MongoInboxStore` both hold theirs through this.
 */
export class MongoConnection<T> {
  private readonly connection: MongoStoreConnection;
  private readonly prepare: (client: MongoClient, db: Db) => Promise<T>;
  private ready: Promise<{ client: MongoClient; value: T }> | null = null;

  constructor(connection: MongoStoreConnection, prepare: (client: MongoClient, db: Db) => Promise<T>) {
    this.connection = connection;
    this.prepare = prepare;
  }

  /** Connects and prepares on first use (idempotent); a StoreError when that fails. */
  async get(): Promise<T> {
    this.ready ??= storeCall('connecting and creating indexes', () => this.open()).catch((error: unknown) => {
      this.ready = null;
      throw error;
    });
    return (await this.ready).value;
  }

  /** Closes the client only when it was created from a URL; the next `get()` connects again. */
  async close(): Promise<void> {
    const ready = this.ready;
    this.ready = null;
    if (!ready || 'client' in this.connection) return;
    const opened = await ready.catch(() => null);
    await opened?.client.close();
  }

  private async open(): Promise<{ client: MongoClient; value: T }> {
    const own = !('client' in this.connection);
    const client =
      'client' in this.connection ? this.connection.client : new MongoClient(this.connection.url);
    try {
      if (own) await client.connect();
      return { client, value: await this.prepare(client, client.db(this.connection.dbName)) };
    } catch (error) {
      if (own) await client.close().catch(() => undefined);
      throw error;
    }
  }
}
