import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'test-servers',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/postgres-server.ts'],
    // The postgres tests run initdb and start throwaway clusters.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
