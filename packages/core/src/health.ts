/** A component's health: the aggregate is the worst status; a check that throws or times out is unhealthy. */
export const HealthState = { healthy: 'healthy', degraded: 'degraded', unhealthy: 'unhealthy' } as const;
export type HealthState = (typeof HealthState)[keyof typeof HealthState];

export interface HealthStatus {
  readonly status: HealthState;
  readonly detail?: string;
}

export interface HealthReport {
  readonly status: HealthState;
  readonly components: Record<string, HealthStatus>;
}

const RANK: Record<HealthState, number> = { healthy: 0, degraded: 1, unhealthy: 2 };

/** Runs named checks in parallel, each under `timeoutMs`, and returns the worst status. */
export async function aggregateHealth(
  checks: Record<string, () => Promise<HealthStatus>>,
  timeoutMs: number,
): Promise<HealthReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => [name, await runCheck(check, timeoutMs)] as const),
  );
  const components = Object.fromEntries(entries);
  const status = entries.reduce<HealthState>(
    (worst, [, s]) => (RANK[s.status] > RANK[worst] ? s.status : worst),
    HealthState.healthy,
  );
  return { status, components };
}

async function runCheck(check: () => Promise<HealthStatus>, timeoutMs: number): Promise<HealthStatus> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<HealthStatus>((resolve) => {
    timer = setTimeout(
      () => resolve({ status: 'unhealthy', detail: `timed out after ${timeoutMs} ms` }),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([check(), timeout]);
  } catch (error) {
    return { status: 'unhealthy', detail: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
