import { defineProject } from 'vitest/config';
import { sourceResolution } from '../../vitest.shared.ts';

export default defineProject({
  ...sourceResolution,
  test: {
    name: 'store-postgres',
    include: ['test/**/*.test.ts'],
    // Finds (or starts) the PostgreSQL server every file uses (@sitemsg-internal/test-servers/postgres).
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
