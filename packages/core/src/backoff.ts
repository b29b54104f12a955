export interface BackoffOptions {
  /** Delay after the first failed attempt. Default 30 s. */
  readonly baseMs?: number;
  /** Growth per attempt. Default 2. */
  readonly factor?: number;
  /** Upper bound. Default 1 h. */
  readonly maxMs?: number;
  /** Share of the delay randomised (0–1), so retries of one outage do not arrive together. Default 0.2. */
  readonly jitter?: number;
}

/** Exponential back-off with jitter and a cap: the wait before attempt `attempts + 1`. */
export function backoffDelay(
  attempts: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const { baseMs = 30_000, factor = 2, maxMs = 3_600_000, jitter = 0.2 } = options;
  const raw = Math.min(maxMs, baseMs * factor ** Math.max(0, attempts - 1));
  const spread = raw * jitter;
  return Math.max(0, Math.round(raw - spread + random() * 2 * spread));
}
