/**
 * For messengers whose health check calls the provider. A health answer kept for a while, so that a health endpoint polled by every load balancer does
 * not log in to the provider on each request: concurrent checks share one request, an answer is
 * reused for `ttlMs` by the injected clock, and what a send learns (credentials refused, or a
 * message accepted) replaces it at once.
 */
import type { Clock } from './clock.js';
import type { HealthStatus } from './health.js';

export class HealthCache {
  readonly #ttlMs: number;
  readonly #clock: Clock;
  #answer: { status: HealthStatus; at: number } | null = null;
  #inFlight: Promise<HealthStatus> | null = null;

  constructor(ttlMs: number, clock: Clock) {
    this.#ttlMs = ttlMs;
    this.#clock = clock;
  }

  /** The cached answer while fresh, else the answer of `check` (one call at a time). */
  get(check: () => Promise<HealthStatus>): Promise<HealthStatus> {
    const cached = this.#answer;
    if (cached && this.#clock.now() - cached.at < this.#ttlMs) return Promise.resolve(cached.status);
    this.#inFlight ??= check()
      .then((status) => {
        this.#answer = { status, at: this.#clock.now() };
        return status;
      })
      .finally(() => {
        this.#inFlight = null;
      });
    return this.#inFlight;
  }

  /** What a send showed about the account: remembered as if a check had answered it now. */
  observe(status: HealthStatus): void {
    this.#answer = { status, at: this.#clock.now() };
  }
}
