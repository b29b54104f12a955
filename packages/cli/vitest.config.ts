import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@sitemsg/source'] },
  // Tests spawn the real CLI (node + tsx); on a busy 2-core CI machine one spawn can take seconds.
  test: { name: 'cli', include: ['test/**/*.test.ts'], testTimeout: 60_000 },
});
