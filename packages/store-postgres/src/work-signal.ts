import { describeError, type Logger } from '@sitemsg/core/plugin';
import pg from 'pg';

/**
 * Wakes idle workers: at once for work this process wrote, by LISTEN/NOTIFY for work other
 * processes wrote. The listener has its own connection (a pooled one would be recycled and lose
 * its LISTEN); when it breaks, waits fall back to their timeout and the next wait reconnects.
 */
export class WorkSignal {
  private readonly waiters = new Set<() => void>();
  /** Work arrived while nobody waited: the next wait returns at once instead of missing it. */
  private missed = false;
  private listener: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private closed = false;
  private used = false;
  private readonly channel: string;
  private readonly config: pg.ClientConfig | null;
  private readonly logger: Logger;

  constructor(channel: string, config: pg.ClientConfig | null, logger: Logger) {
    this.channel = channel;
    this.config = config;
    this.logger = logger;
  }

  wake(): void {
    if (this.waiters.size === 0) {
      this.missed = true;
      return;
    }
    for (const waiter of [...this.waiters]) waiter();
  }

  wait(timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted || this.closed) return Promise.resolve();
    if (this.missed) {
      this.missed = false;
      return Promise.resolve();
    }
    this.used = true;
    this.ensureListening();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      signal.addEventListener('abort', done, { once: true });
      this.waiters.add(done);
    });
  }

  /** For health checks: whether a worker has waited here and, if so, whether LISTEN is connected. */
  get state(): 'unused' | 'listening' | 'polling' {
    if (!this.used) return 'unused';
    return this.listener ? 'listening' : 'polling';
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of [...this.waiters]) waiter();
    await this.connecting?.catch(() => undefined);
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => undefined);
  }

  private ensureListening(): void {
    if (!this.config || this.listener || this.connecting || this.closed) return;
    this.connecting = this.listen()
      .catch((error: unknown) => {
        this.logger.warn?.(
          `[sitemsg] [postgres] LISTEN connection failed, polling until it is back: ${describeError(error)}`,
        );
      })
      .finally(() => {
        this.connecting = null;
      });
  }

  private async listen(): Promise<void> {
    const client = new pg.Client(this.config ?? undefined);
    client.on('error', (error) => this.drop(client, error));
    client.on('end', () => this.drop(client, null));
    client.on('notification', () => this.wake());
    await client.connect();
    await client.query(`LISTEN "${this.channel}"`);
    if (this.closed) {
      await client.end();
      return;
    }
    this.listener = client;
    // Work may have been written while the connection was down: let the worker look once.
    this.wake();
  }

  private drop(client: pg.Client, error: Error | null): void {
    if (this.listener !== client) return;
    this.listener = null;
    if (error && !this.closed) {
      this.logger.warn?.(
        `[sitemsg] [postgres] LISTEN connection lost, polling until it reconnects: ${describeError(error)}`,
      );
    }
    client.end().catch(() => undefined);
  }
}
