import { HealthState, type HealthStatus, type Sitemsg } from '@sitemsg/core';
import type { Router } from 'express';
import type { InboxLike, ResolvedRouterOptions } from './options.js';

const RANK: Record<HealthState, number> = { healthy: 0, degraded: 1, unhealthy: 2 };

/** `GET {basePath}/health`: the engine's store and messengers plus the inbox; 503 when anything is unhealthy. */
export function mountHealth(
  router: Router,
  sitemsg: Sitemsg,
  inbox: InboxLike | undefined,
  options: ResolvedRouterOptions,
): void {
  router.get(`${options.basePath}/health`, async (_req, res) => {
    const [report, inboxStatus] = await Promise.all([
      sitemsg.healthCheck(),
      inbox
        ? inbox.healthCheck().catch(
            (error: unknown): HealthStatus => ({
              status: HealthState.unhealthy,
              detail: error instanceof Error ? error.message : String(error),
            }),
          )
        : null,
    ]);
    const components: Record<string, HealthStatus> = { ...report.components };
    if (inboxStatus) components.inbox = inboxStatus;
    const status = Object.values(components).reduce<HealthState>(
      (worst, c) => (RANK[c.status] > RANK[worst] ? c.status : worst),
      HealthState.healthy,
    );
    res.status(status === HealthState.unhealthy ? 503 : 200).json({ status, components });
  });
}
