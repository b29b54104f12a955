import type { Sitemsg } from '@sitemsg/core';
import { type HealthReport, HealthState, type HealthStatus } from '@sitemsg/core/plugin';
import type { Router } from 'express';
import type { InboxLike, ReadinessOptions, ResolvedRouterOptions } from './options.js';

const RANK: Record<HealthState, number> = { healthy: 0, degraded: 1, unhealthy: 2 };
const DEFAULT_CACHE_MS = 10_000;

/**
 * `GET {basePath}/health` is liveness: the process answers, and that is all it says. It calls
 * nothing outside (a load balancer polling it every second must not log in to the SMTP server
 * every second) and names nothing internal, so it needs no access control.
 *
 * `GET {basePath}/health/ready`, only with `health.readiness`: every component's health behind the
 * application's guard, one round of checks per `cacheMs` however many requests arrive.
 */
export function mountHealth(
  router: Router,
  sitemsg: Sitemsg,
  inbox: InboxLike | undefined,
  options: ResolvedRouterOptions,
): void {
  if (options.health === false) return;
  router.get(`${options.basePath}/health`, (_req, res) => {
    res.json({ status: 'ok' });
  });
  const { readiness } = options.health;
  if (!readiness) return;
  const check = cachedReadiness(sitemsg, inbox, readiness, options);
  router.get(`${options.basePath}/health/ready`, async (req, res) => {
    if (!(await readiness.guard(req))) {
      res.status(403).json({ error: 'forbidden', message: 'Readiness details are for monitoring only.' });
      return;
    }
    const report = await check();
    res.status(report.status === HealthState.unhealthy ? 503 : 200).json(report);
  });
}

/** One round of checks serves every request for `cacheMs`; requests during a round share it. */
function cachedReadiness(
  sitemsg: Sitemsg,
  inbox: InboxLike | undefined,
  readiness: ReadinessOptions,
  options: ResolvedRouterOptions,
): () => Promise<HealthReport & { readonly checkedAt: string }> {
  const cacheMs = readiness.cacheMs ?? DEFAULT_CACHE_MS;
  let last: { at: number; report: Promise<HealthReport & { readonly checkedAt: string }> } | null = null;
  return () => {
    const now = options.clock.now();
    if (last && now - last.at < cacheMs) return last.report;
    last = { at: now, report: runChecks(sitemsg, inbox, now) };
    return last.report;
  };
}

async function runChecks(
  sitemsg: Sitemsg,
  inbox: InboxLike | undefined,
  now: number,
): Promise<HealthReport & { readonly checkedAt: string }> {
  const unhealthy = (error: unknown): HealthStatus => ({
    status: HealthState.unhealthy,
    detail: error instanceof Error ? error.message : String(error),
  });
  const [report, inboxStatus] = await Promise.all([
    sitemsg
      .healthCheck()
      .catch(
        (error: unknown): HealthReport => ({ status: 'unhealthy', components: { engine: unhealthy(error) } }),
      ),
    inbox ? inbox.healthCheck().catch(unhealthy) : null,
  ]);
  const components: Record<string, HealthStatus> = { ...report.components };
  if (inboxStatus) components.inbox = inboxStatus;
  const status = Object.values(components).reduce<HealthState>(
    (worst, c) => (RANK[c.status] > RANK[worst] ? c.status : worst),
    HealthState.healthy,
  );
  return { status, components, checkedAt: new Date(now).toISOString() };
}
