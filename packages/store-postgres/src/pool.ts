import { describeError, type Logger } from '@sitemsg/core/plugin';
import pg from 'pg';
import type { PostgresConnection } from './options.js';

/**
 * The pool a store runs on, from its connection argument: the application's pool, which the store
 * never ends, or one it creates from a URL and ends on close. `PostgresStore` and
 * `PostgresInboxStore` both hold theirs through this.
 */
export class StorePool {
  readonly pool: pg.Pool;
  private readonly owned: boolean;
  private ended = false;

  constructor(connection: PostgresConnection, logger: Logger, label: string) {
    if ('pool' in connection) {
      this.pool = connection.pool;
      this.owned = false;
      return;
    }
    // pg.Pool connects lazily: constructing it opens nothing.
    this.pool = new pg.Pool({ ...connection.poolConfig, connectionString: connection.connectionString });
    this.owned = true;
    // A pooled idle client whose server went away emits 'error'; the pool replaces it on next use.
    this.pool.on('error', (error) => {
      logger.warn?.(`[sitemsg] [${label}] idle connection lost: ${describeError(error)}`);
    });
  }

  /** Ends the pool if the store created it (once); an application's pool stays open. */
  async end(): Promise<void> {
    if (!this.owned || this.ended) return;
    this.ended = true;
    await this.pool.end();
  }
}
