import type { UserConfig } from 'vitest/config';

/**
 * Every test project resolves workspace packages from source through the `@sitemsg/source`
 * export condition, so tests never run against a stale dist. Vitest runs tests in Vite's SSR
 * environment, which takes its own conditions, hence both lists (each keeps Vite's defaults).
 */
export const sourceResolution: Pick<UserConfig, 'resolve' | 'ssr'> = {
  resolve: { conditions: ['@sitemsg/source', 'module', 'browser', 'development|production'] },
  ssr: { resolve: { conditions: ['@sitemsg/source', 'module', 'node', 'development|production'] } },
};
