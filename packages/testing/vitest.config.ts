import { defineProject } from 'vitest/config';
import { sourceResolution } from '../../vitest.shared.ts';

export default defineProject({
  ...sourceResolution,
  test: {
    name: 'testing',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/postgres-server.ts'],
    // The postgres tests run initdb and start throwaway clusters.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
